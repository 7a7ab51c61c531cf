// /api/admin/offers — staff create, edit, price and archive products (If-Match on every change)
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  formatEtag,
  newId,
  PgErrorCode,
  Problem,
  parseIfMatch,
  pgErrorCode,
  type Queryable,
  requirePermission,
  type ServiceEnv,
} from '@shop/shared';
import type { OfferDeps } from '../deps.js';
import { buildCreatedEvent } from '../domain/build-created-event.js';
import { buildEditEvents } from '../domain/build-edit-events.js';
import { buildPriceChangedEvent } from '../domain/build-price-changed-event.js';
import { buildStatusEvent } from '../domain/build-status-event.js';
import { checkPriceChange } from '../domain/check-price-change.js';
import { diffProduct } from '../domain/diff-product.js';
import type { OfferEvent } from '../domain/offer-event.js';
import type { Price, Product, ProductChanges } from '../domain/product.js';
import { slugify } from '../domain/slugify.js';
import { events } from '../events.js';
import {
  findProduct,
  insertProduct,
  insertStockAdjustment,
  lockProduct,
  updateProduct,
} from '../store.js';
import { answerListing } from './offer-listing.js';
import {
  AmountSchema,
  CurrencySchema,
  checkPriceRange,
  ETagHeader,
  IdSchema,
  ImagesSchema,
  listingParams,
  OfferPageSchema,
  OfferSchema,
  ProductStatusSchema,
  presentOffer,
  problem,
  SlugSchema,
  StockSchema,
  text,
} from './schemas.js';

const EditHeaders = z.object({
  'if-match': text(500).optional().openapi({
    description: 'Required: the ETag (W/"<version>") of the product as you last read it.',
  }),
});
const IdParams = z.object({ id: IdSchema.openapi({ param: { name: 'id', in: 'path' } }) });

const CreateOfferBody = z
  .strictObject({
    slug: SlugSchema.optional().openapi({ description: 'Default: made from the name.' }),
    name: text(200, 1),
    description: text(5000, 0, true).default(''),
    category: SlugSchema,
    priceAmount: AmountSchema,
    currency: CurrencySchema.optional().openapi({ description: 'Default: the catalog currency.' }),
    images: ImagesSchema.default([]),
    stock: StockSchema.default(0),
  })
  .openapi('NewOffer');

const UpdateOfferBody = z
  .strictObject({
    slug: SlugSchema,
    name: text(200, 1),
    description: text(5000, 0, true),
    category: SlugSchema,
    images: ImagesSchema,
    stock: StockSchema,
  })
  .partial()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'name at least one field to change',
  })
  .openapi('OfferChanges');

const PriceBody = z
  .strictObject({ amount: AmountSchema, currency: CurrencySchema })
  .openapi('Price');

const AdminListQuery = z
  .object({ ...listingParams, status: ProductStatusSchema.optional() })
  .superRefine(checkPriceRange);

// `required` makes a body with another content type a 400 instead of an empty object.
const json = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const offerResponse = (description: string) => ({
  description,
  headers: ETagHeader,
  content: { 'application/json': { schema: OfferSchema } },
});

// Every /api/admin route answers staff only (the kit checks the verified token's roles), each
// with its permission (README, "Permissions").
const staffProblems = {
  401: problem('No valid access token'),
  403: problem('The caller is not staff, or lacks the permission'),
};

const editProblems = {
  ...staffProblems,
  400: problem('Invalid input'),
  404: problem('No product with this id'),
  409: problem('The slug is taken by another product'),
  412: problem('If-Match names an old version; the body has currentVersion'),
  422: problem('Unknown category or a currency the catalog does not sell in'),
  428: problem('If-Match is missing'),
};

const listAdminOffers = createRoute({
  method: 'get',
  path: '/api/admin/offers',
  tags: ['staff'],
  summary: 'List products of every status (status narrows it)',
  request: { query: AdminListQuery },
  responses: {
    200: {
      description: 'A page of products',
      content: { 'application/json': { schema: OfferPageSchema } },
    },
    400: problem('Invalid parameters or a cursor from another listing'),
    ...staffProblems,
  },
});

const getAdminOffer = createRoute({
  method: 'get',
  path: '/api/admin/offers/{id}',
  tags: ['staff'],
  summary: 'One product, archived or not',
  request: { params: IdParams },
  responses: {
    200: offerResponse('The product'),
    400: problem('The id is not a uuid'),
    404: problem('No product with this id'),
    ...staffProblems,
  },
});

const createOffer = createRoute({
  method: 'post',
  path: '/api/admin/offers',
  tags: ['staff'],
  summary: 'Create a product (records shop.offer.created and shop.offer.price_changed)',
  request: { body: json(CreateOfferBody) },
  responses: {
    201: {
      ...offerResponse('The new product'),
      headers: { ...ETagHeader, Location: { schema: { type: 'string' as const } } },
    },
    400: problem('Invalid input'),
    409: problem('The slug is taken by another product'),
    422: problem('Unknown category or a currency the catalog does not sell in'),
    ...staffProblems,
  },
});

const updateOffer = createRoute({
  method: 'patch',
  path: '/api/admin/offers/{id}',
  tags: ['staff'],
  summary: 'Change name, description, category, images, stock or slug',
  request: { params: IdParams, headers: EditHeaders, body: json(UpdateOfferBody) },
  responses: { 200: offerResponse('The product after the change'), ...editProblems },
});

const changePrice = createRoute({
  method: 'put',
  path: '/api/admin/offers/{id}/price',
  tags: ['staff'],
  summary: 'Set the price (records shop.offer.price_changed unless it is the same)',
  request: { params: IdParams, headers: EditHeaders, body: json(PriceBody) },
  responses: { 200: offerResponse('The product with its price'), ...editProblems },
});

const archiveOffer = createRoute({
  method: 'post',
  path: '/api/admin/offers/{id}/archive',
  tags: ['staff'],
  summary: 'Archive: hide from the public catalog (records shop.offer.archived)',
  request: { params: IdParams, headers: EditHeaders },
  responses: { 200: offerResponse('The archived product'), ...editProblems },
});

const unarchiveOffer = createRoute({
  method: 'post',
  path: '/api/admin/offers/{id}/unarchive',
  tags: ['staff'],
  summary: 'Unarchive: show in the public catalog again (records shop.offer.unarchived)',
  request: { params: IdParams, headers: EditHeaders },
  responses: { 200: offerResponse('The active product'), ...editProblems },
});

interface Edit {
  changes: ProductChanges;
  /** The events of the change, written to the outbox in its transaction once it is applied. */
  events?: (before: Product, after: Product) => OfferEvent[];
  /** More rows to write in the change's transaction (the stock history of a PATCH). */
  record?: (tx: Queryable, before: Product, after: Product) => Promise<void>;
}

function notFound(id: string): Problem {
  return new Problem(404, `No product ${id}.`);
}

/** Answers input the database refused (taken slug, unknown category) with a 4xx. */
function refusedInput(error: unknown, input: { slug?: string; category?: string }): unknown {
  switch (pgErrorCode(error)) {
    case PgErrorCode.uniqueViolation:
      return new Problem(
        409,
        `The slug ${JSON.stringify(input.slug)} is taken by another product.`,
        {
          type: 'https://shop.example/problems/slug-taken',
          errors: [{ name: 'json.slug', reason: 'is taken by another product' }],
        },
      );
    case PgErrorCode.foreignKeyViolation:
      return unknownCategory(input.category);
    case PgErrorCode.checkViolation:
      return new Problem(400, 'The product would break a catalog rule.');
    default:
      return error;
  }
}

function unknownCategory(category: string | undefined): Problem {
  return new Problem(422, `There is no category ${JSON.stringify(category)}.`, {
    type: 'https://shop.example/problems/unknown-category',
    errors: [{ name: 'json.category', reason: 'is not a category of the catalog' }],
  });
}

function wrongCurrency(catalogCurrency: string, name: string): Problem {
  return new Problem(422, `The catalog sells in ${catalogCurrency} only.`, {
    type: 'https://shop.example/problems/currency',
    errors: [{ name, reason: `must be ${catalogCurrency}` }],
  });
}

/** Registers the staff routes; the api-gateway allows only staff through to them. */
export function registerAdminOfferRoutes(app: OpenAPIHono<ServiceEnv>, deps: OfferDeps): void {
  const { db, clock, catalogCurrency, onEventsRecorded } = deps;

  /**
   * One optimistic edit: the row is locked, its version compared with If-Match, and the
   * UPDATE is conditional on that version too, so of two edits of one version only one wins.
   */
  async function editProduct(
    id: string,
    ifMatchHeader: string | undefined,
    plan: (current: Product) => Edit,
  ): Promise<Product> {
    const ifMatch = parseIfMatch(ifMatchHeader);
    if (ifMatch.kind !== 'versions') {
      throw new Problem(
        428,
        'Send If-Match with the ETag of the product as you last read it, e.g. If-Match: W/"3".',
      );
    }
    let recorded = false;
    const product = await db.transaction(async (tx) => {
      const current = await lockProduct(tx, id);
      if (!current) throw notFound(id);
      if (!ifMatch.versions.includes(current.version)) {
        throw new Problem(
          412,
          `The product changed since you read it: it is at version ${current.version}.`,
          { type: 'https://shop.example/problems/stale-version', currentVersion: current.version },
          { ETag: formatEtag(current.version) },
        );
      }
      const edit = plan(current);
      const changes = diffProduct(current, edit.changes);
      if (Object.keys(changes).length === 0) return current;
      const updated = await updateProduct(tx, id, current.version, changes, clock());
      // Unreachable while the row lock holds; kept so the guarantee does not rest on it alone.
      if (!updated) throw new Problem(412, 'The product changed since you read it.');
      for (const event of edit.events?.(current, updated) ?? []) {
        await events.write(tx, event);
        recorded = true;
      }
      await edit.record?.(tx, current, updated);
      return updated;
    });
    if (recorded) onEventsRecorded();
    return product;
  }

  const answer = (product: Product) => ({
    body: presentOffer(product),
    headers: { ETag: formatEtag(product.version) },
  });

  app.openapi(listAdminOffers, async (c) => {
    requirePermission(c, 'catalog:read');
    return c.json(await answerListing(db, 'admin', c.req.valid('query')), 200);
  });

  app.openapi(getAdminOffer, async (c) => {
    requirePermission(c, 'catalog:read');
    const { id } = c.req.valid('param');
    const product = await findProduct(db, { id }, { includeArchived: true });
    if (!product) throw notFound(id);
    const { body, headers } = answer(product);
    return c.json(body, 200, headers);
  });

  app.openapi(createOffer, async (c) => {
    const input = c.req.valid('json');
    const changedBy = requirePermission(c, 'catalog:write').userId;
    const slug = input.slug ?? slugify(input.name);
    if (!slug) {
      throw new Problem(400, 'The name has no letters or digits to make a slug of; send a slug.', {
        errors: [{ name: 'json.slug', reason: 'is required for this name' }],
      });
    }
    const price: Price = { amount: input.priceAmount, currency: input.currency ?? catalogCurrency };
    if (checkPriceChange(null, price, catalogCurrency).kind === 'wrong-currency') {
      throw wrongCurrency(catalogCurrency, 'json.currency');
    }
    const now = clock();
    const product = await db
      .transaction(async (tx) => {
        const created = await insertProduct(tx, {
          id: newId(),
          slug,
          name: input.name,
          description: input.description,
          category: input.category,
          priceAmount: price.amount,
          currency: price.currency,
          images: input.images,
          stock: input.stock,
          status: 'active',
          createdAt: now,
          updatedAt: now,
        });
        if (!created) throw new Error('insert returned no row');
        await events.write(tx, buildCreatedEvent(created, changedBy));
        await events.write(
          tx,
          buildPriceChangedEvent({
            productId: created.id,
            slug: created.slug,
            previousPrice: null,
            price,
            changedBy,
            changedAt: now,
          }),
        );
        return created;
      })
      .catch((error: unknown) => {
        throw refusedInput(error, { slug, category: input.category });
      });
    onEventsRecorded();
    const { body, headers } = answer(product);
    return c.json(body, 201, { ...headers, Location: `/api/admin/offers/${product.id}` });
  });

  app.openapi(updateOffer, async (c) => {
    const { id } = c.req.valid('param');
    const changes = c.req.valid('json');
    // Stock counts are stock:adjust; every other field catalog:write.
    const { stock, ...others } = changes;
    let changedBy: string | null = null;
    if (stock !== undefined) changedBy = requirePermission(c, 'stock:adjust').userId;
    if (stock === undefined || Object.keys(others).length > 0) {
      changedBy = requirePermission(c, 'catalog:write').userId;
    }
    // Audited: shop.offer.changed for the fields, shop.offer.stock_adjusted for the count.
    const product = await editProduct(id, c.req.valid('header')['if-match'], () => ({
      changes,
      events: (before, after) => buildEditEvents(before, after, changedBy),
      // A count set by PATCH is in the stock history too, as a correction.
      record: async (tx, before, after) => {
        if (before.stock === after.stock) return;
        await insertStockAdjustment(tx, {
          id: newId(),
          productId: after.id,
          change: after.stock - before.stock,
          stockAfter: after.stock,
          reason: 'correction',
          note: null,
          adjustedBy: changedBy,
          createdAt: after.updatedAt,
        });
      },
    })).catch((error: unknown) => {
      throw refusedInput(error, changes);
    });
    const { body, headers } = answer(product);
    return c.json(body, 200, headers);
  });

  app.openapi(changePrice, async (c) => {
    const { id } = c.req.valid('param');
    const price = c.req.valid('json');
    const header = c.req.valid('header');
    const changedBy = requirePermission(c, 'catalog:write').userId;
    const product = await editProduct(id, header['if-match'], (current) => {
      const previous = { amount: current.priceAmount, currency: current.currency };
      const check = checkPriceChange(previous, price, catalogCurrency);
      if (check.kind === 'wrong-currency') throw wrongCurrency(catalogCurrency, 'json.currency');
      if (check.kind === 'unchanged') return { changes: {} };
      return {
        changes: { priceAmount: price.amount, currency: price.currency },
        events: (before, after) => [
          buildPriceChangedEvent({
            productId: after.id,
            slug: after.slug,
            previousPrice: { amount: before.priceAmount, currency: before.currency },
            price: { amount: after.priceAmount, currency: after.currency },
            changedBy,
            changedAt: after.updatedAt,
          }),
        ],
      };
    });
    const { body, headers } = answer(product);
    return c.json(body, 200, headers);
  });

  app.openapi(archiveOffer, async (c) => {
    const { id } = c.req.valid('param');
    const header = c.req.valid('header');
    const changedBy = requirePermission(c, 'catalog:write').userId;
    const product = await editProduct(id, header['if-match'], () => ({
      changes: { status: 'archived' },
      events: (_before, after) => [buildStatusEvent(after, changedBy)],
    }));
    const { body, headers } = answer(product);
    return c.json(body, 200, headers);
  });

  app.openapi(unarchiveOffer, async (c) => {
    const { id } = c.req.valid('param');
    const header = c.req.valid('header');
    const changedBy = requirePermission(c, 'catalog:write').userId;
    const product = await editProduct(id, header['if-match'], () => ({
      changes: { status: 'active' },
      events: (_before, after) => [buildStatusEvent(after, changedBy)],
    }));
    const { body, headers } = answer(product);
    return c.json(body, 200, headers);
  });
}
