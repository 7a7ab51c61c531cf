// /api/admin/offers/{id}/stock-adjustments — staff add or take away units with a reason, and
// read the history of every stock change
import { createHash } from 'node:crypto';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  decodeOpaqueCursor,
  encodeOpaqueCursor,
  formatEtag,
  newId,
  Problem,
  requirePermission,
  type ServiceEnv,
} from '@shop/shared';
import type { OfferDeps } from '../deps.js';
import { buildStockAdjustedEvent } from '../domain/build-stock-adjusted-event.js';
import {
  type Product,
  STOCK_ADJUSTMENT_REASONS,
  type StockAdjustment,
  UUID_PATTERN,
} from '../domain/product.js';
import { events } from '../events.js';
import {
  adjustStock,
  findProduct,
  findStockAdjustmentByKey,
  insertStockAdjustment,
  listStockAdjustments,
  lockProduct,
} from '../store.js';
import { ETagHeader, IdSchema, OfferSchema, presentOffer, problem, text } from './schemas.js';

const IdParams = z.object({ id: IdSchema.openapi({ param: { name: 'id', in: 'path' } }) });

/** The most units one adjustment may move (the stock column's own limit). */
export const MAX_STOCK_CHANGE = 1_000_000_000;

const AdjustmentBody = z
  .strictObject({
    change: z
      .int()
      .min(-MAX_STOCK_CHANGE)
      .max(MAX_STOCK_CHANGE)
      .refine((change) => change !== 0, 'must not be 0')
      .openapi({ description: 'Units added (received, returned) or taken away (< 0).' }),
    reason: z.enum(STOCK_ADJUSTMENT_REASONS),
    note: text(500).optional(),
  })
  .openapi('NewStockAdjustment');

const AdjustmentHeaders = z.object({
  'idempotency-key': text(200, 1).optional().openapi({
    description: 'Send the same key again to retry: the adjustment is made once.',
  }),
});

const StockAdjustmentSchema = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    productId: z.string().openapi({ format: 'uuid' }),
    change: z.int(),
    stockAfter: z.int(),
    reason: z.enum(STOCK_ADJUSTMENT_REASONS),
    note: z.string().nullable(),
    adjustedBy: z.string().nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('StockAdjustment');

const AdjustmentResult = z
  .object({ adjustment: StockAdjustmentSchema, product: OfferSchema })
  .openapi('StockAdjustmentResult');

const HistoryQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ type: 'integer', minimum: 1, maximum: 100, default: 20 }),
  cursor: text(1000).optional().openapi({ description: 'nextCursor of the previous page.' }),
});

const staffProblems = {
  401: problem('No valid access token'),
  403: problem('The caller is not staff, or lacks stock:adjust'),
};

const createAdjustment = createRoute({
  method: 'post',
  path: '/api/admin/offers/{id}/stock-adjustments',
  tags: ['staff'],
  summary: 'Add or take away units with a reason (records shop.offer.stock_adjusted)',
  request: {
    params: IdParams,
    headers: AdjustmentHeaders,
    body: { required: true, content: { 'application/json': { schema: AdjustmentBody } } },
  },
  responses: {
    201: {
      description: 'The adjustment and the product after it',
      headers: ETagHeader,
      content: { 'application/json': { schema: AdjustmentResult } },
    },
    200: {
      description: 'A retry with the same Idempotency-Key: the adjustment made the first time',
      headers: ETagHeader,
      content: { 'application/json': { schema: AdjustmentResult } },
    },
    400: problem('Invalid input'),
    404: problem('No product with this id'),
    409: problem('Fewer units in stock than the change takes away; the body has available'),
    422: problem('The Idempotency-Key was used for another adjustment'),
    ...staffProblems,
  },
});

const listAdjustments = createRoute({
  method: 'get',
  path: '/api/admin/offers/{id}/stock-adjustments',
  tags: ['staff'],
  summary: 'The stock adjustments of a product, newest first',
  request: { params: IdParams, query: HistoryQuery },
  responses: {
    200: {
      description: 'A page of adjustments',
      content: {
        'application/json': {
          schema: z.object({
            items: z.array(StockAdjustmentSchema),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    400: problem('Invalid parameters or a cursor of another product'),
    404: problem('No product with this id'),
    ...staffProblems,
  },
});

function presentAdjustment(adjustment: StockAdjustment) {
  return { ...adjustment, createdAt: adjustment.createdAt.toISOString() };
}

function requestHash(body: z.infer<typeof AdjustmentBody>): string {
  return createHash('sha256')
    .update(JSON.stringify([body.change, body.reason, body.note ?? null]))
    .digest('base64url');
}

function insufficientStock(productId: string, available: number, change: number): Problem {
  return new Problem(
    409,
    `Only ${available} unit(s) are in stock; taking away ${-change} would leave fewer than none.`,
    {
      type: 'https://shop.example/problems/insufficient-stock',
      available,
      errors: [{ name: 'json.change', reason: `must be at least ${-available}` }],
      productId,
    },
  );
}

/** Registers the stock adjustment routes (staff with stock:adjust). */
export function registerStockAdjustmentRoutes(app: OpenAPIHono<ServiceEnv>, deps: OfferDeps): void {
  const { db, clock, onEventsRecorded } = deps;

  app.openapi(createAdjustment, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const key = c.req.valid('header')['idempotency-key'];
    const adjustedBy = requirePermission(c, 'stock:adjust').userId;
    const hash = requestHash(body);
    const note = body.note === undefined || body.note === '' ? null : body.note;
    // No If-Match: the change is relative to whatever the count is when it commits, so two
    // people adjusting at once both count; the product row lock orders them.
    const result = await db.transaction(async (tx) => {
      const current = await lockProduct(tx, id);
      if (!current) throw new Problem(404, `No product ${id}.`);
      if (key !== undefined) {
        const earlier = await findStockAdjustmentByKey(tx, id, adjustedBy, key);
        if (earlier) {
          if (earlier.requestHash !== hash) {
            throw new Problem(
              422,
              'This Idempotency-Key was used for another adjustment of this product; use a new key.',
              { type: 'https://shop.example/problems/idempotency-key-reused' },
            );
          }
          const { requestHash: _, ...adjustment } = earlier;
          return { replayed: true, adjustment, product: current };
        }
      }
      const now = clock();
      const product: Product | null = await adjustStock(tx, id, body.change, now);
      if (!product) throw insufficientStock(id, current.stock, body.change);
      const adjustment: StockAdjustment = {
        id: newId(),
        productId: id,
        change: body.change,
        stockAfter: product.stock,
        reason: body.reason,
        note,
        adjustedBy,
        createdAt: now,
      };
      await insertStockAdjustment(tx, adjustment, key ? { key, requestHash: hash } : null);
      await events.write(
        tx,
        buildStockAdjustedEvent(product, current.stock, { reason: body.reason, note, adjustedBy }),
      );
      return { replayed: false, adjustment, product };
    });
    if (!result.replayed) onEventsRecorded();
    return c.json(
      { adjustment: presentAdjustment(result.adjustment), product: presentOffer(result.product) },
      result.replayed ? 200 : 201,
      { ETag: formatEtag(result.product.version) },
    );
  });

  app.openapi(listAdjustments, async (c) => {
    requirePermission(c, 'catalog:read');
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    let afterId: string | undefined;
    if (cursor !== undefined) {
      const payload = decodeOpaqueCursor(cursor);
      if (
        payload?.v !== 1 ||
        payload.p !== id ||
        typeof payload.i !== 'string' ||
        !UUID_PATTERN.test(payload.i)
      ) {
        throw new Problem(400, 'The cursor is not one this product’s history made.', {
          errors: [{ name: 'query.cursor', reason: 'is not a cursor of this history' }],
        });
      }
      afterId = payload.i;
    }
    const product = await findProduct(db, { id }, { includeArchived: true });
    if (!product) throw new Problem(404, `No product ${id}.`);
    const page = await listStockAdjustments(db, id, { limit, ...(afterId && { afterId }) });
    return c.json(
      {
        items: page.adjustments.map(presentAdjustment),
        nextCursor: page.nextId ? encodeOpaqueCursor({ v: 1, p: id, i: page.nextId }) : null,
      },
      200,
    );
  });
}
