// Staff routes over every user's orders: the list (filters, cursor pages), one order with its
// history, and what staff may do to it — refund it at the provider, resolve its payment review,
// cancel it. Each checks its permission; edits name the version they saw (If-Match).
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  cursorFingerprint,
  decodeOpaqueCursor,
  encodeOpaqueCursor,
  formatEtag,
  money,
  Problem,
  parseIfMatch,
  problemResponses,
  requireIdentity,
  requirePermission,
  type ServiceEnv,
  text,
} from '@shop/shared';
import { type Order, REFUND_REASONS, type RefundRequest } from '../domain/order.js';
import { ORDER_STATUSES } from '../domain/order-status.js';
import { presentOrder } from '../flows/checkout.js';
import {
  cancelOrder,
  refundableAmount,
  requestRefund,
  resolveReview,
  type StaffOrderDeps,
} from '../flows/staff-orders.js';
import { findOrder, listAllOrders, listRefundRequests } from '../store.js';
import { bodyErrors, jsonBody, notFoundUnless } from './http.js';
import { orderHistory } from './order-history.js';
import {
  jsonResponse,
  MoneySchema,
  OrderSchema,
  OrderWithHistorySchema,
  requestBody,
} from './schemas.js';

const tags = ['staff'];

const StaffOrderSchema = OrderSchema.extend({
  userId: z.string(),
  version: z.int().min(1).openapi({ description: 'The order’s version; also its ETag' }),
}).openapi('StaffOrder');

const RefundRequestSchema = z
  .object({
    id: z.uuid(),
    amount: MoneySchema,
    reason: z.enum(REFUND_REASONS),
    note: z.string().nullable(),
    requestedBy: z.string(),
    status: z.enum(['requested', 'sent', 'failed']).openapi({
      description:
        'requested: not yet accepted by the provider (retry with the same key); sent: the provider made it, the order counts it once its webhook arrives; failed: the provider refused it (error)',
    }),
    providerRefundId: z.string().nullable(),
    error: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('RefundRequest');

const StaffOrderDetailSchema = OrderWithHistorySchema.extend({
  userId: z.string(),
  version: z.int().min(1),
  refundable: MoneySchema.openapi({
    description: 'What can still be refunded: the total less refunds counted and in flight',
  }),
  refundRequests: z.array(RefundRequestSchema),
}).openapi('StaffOrderDetail');

const ListQuery = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  userId: text({ max: 200 }).optional(),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdBefore: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
});

const OrderPath = z.object({ id: z.uuid() });
const IfMatchHeader = z.object({
  'if-match': z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'The ETag of the order as last read, e.g. W/"3"' }),
});
const IdempotencyHeader = z.object({
  'idempotency-key': text({ max: 255, trim: false })
    .regex(/^[\x21-\x7e]{1,255}$/)
    .openapi({ description: '1–255 visible ASCII characters; the same key is the same refund' }),
});

const Note = text({ max: 500, multiline: true });
const RefundBody = z
  .object({
    amount: z
      .int()
      .min(1)
      .optional()
      .openapi({ description: 'Minor units; default all that can be refunded' }),
    reason: z.enum(REFUND_REASONS),
    note: Note.optional(),
  })
  .strict();
const ReviewBody = z
  .object({ resolution: z.enum(['cancel', 'dismiss']), note: Note.optional() })
  .strict();
const CancelBody = z.object({ note: Note.optional() }).strict();

/** The problems of a staff edit of one order, with what its 409 means. */
const editProblems = (conflict: string) =>
  problemResponses({
    400: 'Invalid body',
    401: 'Not signed in',
    403: 'Without the permission (names it)',
    404: 'No such order',
    409: conflict,
    412: 'If-Match names an old version (the body has currentVersion)',
    415: 'Not JSON',
    428: 'If-Match is missing',
  });

const listRoute = createRoute({
  method: 'get',
  path: '/api/admin/orders',
  tags,
  summary: 'Every user’s orders, newest first, by status, user and creation time',
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(
      'A page; nextCursor continues it',
      z.object({ items: z.array(StaffOrderSchema), nextCursor: z.string().nullable() }),
    ),
    ...problemResponses({
      400: 'Invalid query or cursor',
      401: 'Not signed in',
      403: 'Without orders:read',
    }),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/admin/orders/{id}',
  tags,
  summary: 'One order with its status history, refunds, refund requests and what is refundable',
  middleware: [notFoundUnless(OrderPath, 'No order has this id.')] as const,
  request: { params: OrderPath },
  responses: {
    200: {
      ...jsonResponse('The order; ETag is its version', StaffOrderDetailSchema),
      headers: { ETag: { schema: { type: 'string' } } },
    },
    ...problemResponses({ 401: 'Not signed in', 403: 'Without orders:read', 404: 'No such order' }),
  },
});

const refundRoute = createRoute({
  method: 'post',
  path: '/api/admin/orders/{id}/refunds',
  tags,
  summary: 'Refund all or part of a paid order at the payment provider',
  description:
    'Under an Idempotency-Key: the same key and body answer the same refund request again (a ' +
    'retry after a 502 resumes it, never refunding twice); the same key with another body is ' +
    'a 422. The order counts the money once the provider’s refund webhook arrives.',
  middleware: [notFoundUnless(OrderPath, 'No order has this id.'), jsonBody] as const,
  request: { params: OrderPath, headers: IdempotencyHeader, body: requestBody(RefundBody) },
  responses: {
    201: jsonResponse(
      'The refund request, made at the provider (or refused: status failed)',
      RefundRequestSchema,
    ),
    200: jsonResponse('The refund request this key made before', RefundRequestSchema),
    ...problemResponses({
      400: 'No or a malformed Idempotency-Key, or an invalid body',
      401: 'Not signed in',
      403: 'Without orders:refund',
      404: 'No such order',
      409: 'The order is not paid, or nothing is left to refund',
      415: 'Not JSON',
      422: 'More than is refundable (the body has refundable), or the key was used for another refund',
      502: 'The provider did not answer: send the same request again',
    }),
  },
});

const reviewRoute = createRoute({
  method: 'post',
  path: '/api/admin/orders/{id}/review',
  tags,
  summary: 'Resolve an order in payment_review: cancel it, or dismiss the mismatch',
  description:
    'dismiss returns the order to the status it had before the mismatched payment, to wait for ' +
    'its own payment; cancel cancels it and gives its stock back.',
  middleware: [notFoundUnless(OrderPath, 'No order has this id.'), jsonBody] as const,
  request: { params: OrderPath, headers: IfMatchHeader, body: requestBody(ReviewBody) },
  responses: {
    200: {
      ...jsonResponse('The order after it; ETag is its new version', StaffOrderSchema),
      headers: { ETag: { schema: { type: 'string' } } },
    },
    ...editProblems('The order is not in payment_review'),
  },
});

const cancelRoute = createRoute({
  method: 'post',
  path: '/api/admin/orders/{id}/cancel',
  tags,
  summary: 'Cancel an unpaid order (pending, failed or in review); its stock goes back',
  middleware: [notFoundUnless(OrderPath, 'No order has this id.'), jsonBody] as const,
  request: { params: OrderPath, headers: IfMatchHeader, body: requestBody(CancelBody) },
  responses: {
    200: {
      ...jsonResponse('The cancelled order; ETag is its new version', StaffOrderSchema),
      headers: { ETag: { schema: { type: 'string' } } },
    },
    ...editProblems('The order is paid (refund it instead), or already cancelled or refunded'),
  },
});

const CursorPayload = z.object({
  v: z.literal(1),
  f: z.string(),
  c: z.iso.datetime(),
  i: z.uuid(),
});

const presentStaffOrder = (order: Order) => ({
  ...presentOrder(order),
  userId: order.userId,
  version: order.version,
});

const presentRefundRequest = (r: RefundRequest) => ({
  id: r.id,
  amount: r.amount,
  reason: r.reason,
  note: r.note,
  requestedBy: r.requestedBy,
  status: r.status,
  providerRefundId: r.providerRefundId,
  error: r.error,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** Registers the staff order routes (the kit answers non-staff before them). */
export function registerAdminOrderRoutes(app: OpenAPIHono<ServiceEnv>, deps: StaffOrderDeps): void {
  const { db } = deps;

  app.openapi(
    listRoute,
    async (c) => {
      requirePermission(c, 'orders:read');
      const query = c.req.valid('query');
      const fingerprint = cursorFingerprint([
        query.status ?? null,
        query.userId ?? null,
        query.createdFrom ?? null,
        query.createdBefore ?? null,
      ]);
      let after: { createdAt: Date; id: string } | undefined;
      if (query.cursor) {
        const parsed = CursorPayload.safeParse(decodeOpaqueCursor(query.cursor));
        if (!parsed.success || parsed.data.f !== fingerprint) {
          throw new Problem(
            400,
            'The cursor is not one this list gave out (or the filter changed).',
          );
        }
        after = { createdAt: new Date(parsed.data.c), id: parsed.data.i };
      }
      const rows = await listAllOrders(db, {
        status: query.status,
        userId: query.userId,
        createdFrom: query.createdFrom ? new Date(query.createdFrom) : undefined,
        createdBefore: query.createdBefore ? new Date(query.createdBefore) : undefined,
        after,
        limit: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const nextCursor =
        rows.length > query.limit && last
          ? encodeOpaqueCursor({
              v: 1,
              f: fingerprint,
              c: last.createdAt.toISOString(),
              i: last.id,
            })
          : null;
      return c.json({ items: page.map(presentStaffOrder), nextCursor }, 200);
    },
    bodyErrors,
  );

  app.openapi(getRoute, async (c) => {
    requirePermission(c, 'orders:read');
    const order = await findOrder(db, c.req.valid('param').id);
    if (!order) throw new Problem(404, 'No order has this id.');
    const [history, requests, refundable] = await Promise.all([
      orderHistory(db, order),
      listRefundRequests(db, order.id),
      refundableAmount(db, order),
    ]);
    c.header('ETag', formatEtag(order.version));
    return c.json(
      {
        ...history,
        userId: order.userId,
        version: order.version,
        refundable: money(refundable, order.total.currency),
        refundRequests: requests.map(presentRefundRequest),
      },
      200,
    );
  });

  app.openapi(
    refundRoute,
    async (c) => {
      requirePermission(c, 'orders:refund');
      const staff = requireIdentity(c, 'staff');
      const body = c.req.valid('json');
      const outcome = await requestRefund(
        deps,
        c.req.valid('param').id,
        staff.userId,
        c.req.valid('header')['idempotency-key'],
        { amount: body.amount, reason: body.reason, note: body.note },
      );
      c.get('log').info(
        {
          orderId: outcome.request.orderId,
          refundRequestId: outcome.request.id,
          status: outcome.request.status,
        },
        'staff refund request',
      );
      return outcome.created
        ? c.json(presentRefundRequest(outcome.request), 201)
        : c.json(presentRefundRequest(outcome.request), 200);
    },
    bodyErrors,
  );

  app.openapi(
    reviewRoute,
    async (c) => {
      requirePermission(c, 'payments:review');
      const staff = requireIdentity(c, 'staff');
      const body = c.req.valid('json');
      const order = await resolveReview(
        deps,
        c.req.valid('param').id,
        staff.userId,
        parseIfMatch(c.req.valid('header')['if-match']),
        body.resolution,
        body.note ?? null,
      );
      c.header('ETag', formatEtag(order.version));
      return c.json(presentStaffOrder(order), 200);
    },
    bodyErrors,
  );

  app.openapi(
    cancelRoute,
    async (c) => {
      requirePermission(c, 'orders:cancel');
      const staff = requireIdentity(c, 'staff');
      const order = await cancelOrder(
        deps,
        c.req.valid('param').id,
        staff.userId,
        parseIfMatch(c.req.valid('header')['if-match']),
        c.req.valid('json').note ?? null,
      );
      c.header('ETag', formatEtag(order.version));
      return c.json(presentStaffOrder(order), 200);
    },
    bodyErrors,
  );
}
