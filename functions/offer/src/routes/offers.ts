// GET /api/offers — search the catalog; GET /api/offers/{idOrSlug} — one active product
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { formatEtag, Problem, parseIfMatch, type ServiceEnv } from '@shop/shared';
import type { OfferDeps } from '../deps.js';
import { SLUG_PATTERN, UUID_PATTERN } from '../domain/product.js';
import { findProduct } from '../store.js';
import { answerListing } from './offer-listing.js';
import {
  checkPriceRange,
  ETagHeader,
  listingParams,
  OfferPageSchema,
  OfferSchema,
  presentOffer,
  problem,
  text,
} from './schemas.js';

const SearchQuery = z.object(listingParams).superRefine(checkPriceRange);

const searchOffers = createRoute({
  method: 'get',
  path: '/api/offers',
  tags: ['catalog'],
  summary: 'Search and list active products, one keyset page at a time',
  request: { query: SearchQuery },
  responses: {
    200: {
      description: 'A page of products',
      content: { 'application/json': { schema: OfferPageSchema } },
    },
    400: problem('Invalid parameters or a cursor from another listing'),
  },
});

const OfferParams = z.object({
  idOrSlug: z
    .string()
    .max(200)
    .openapi({ param: { name: 'idOrSlug', in: 'path' }, description: 'Product id (uuid) or slug' }),
});

const getOffer = createRoute({
  method: 'get',
  path: '/api/offers/{idOrSlug}',
  tags: ['catalog'],
  summary: 'One active product by id or slug',
  request: {
    params: OfferParams,
    headers: z.object({ 'if-none-match': text(500).optional() }),
  },
  responses: {
    200: {
      description: 'The product',
      headers: ETagHeader,
      content: { 'application/json': { schema: OfferSchema } },
    },
    304: { description: 'The product still has the version named in If-None-Match' },
    404: problem('No active product with this id or slug'),
  },
});

/** Registers the public catalog routes. */
export function registerOfferRoutes(app: OpenAPIHono<ServiceEnv>, deps: OfferDeps): void {
  app.openapi(searchOffers, async (c) => {
    return c.json(await answerListing(deps.db, 'public', c.req.valid('query')), 200);
  });

  app.openapi(getOffer, async (c) => {
    const { idOrSlug } = c.req.valid('param');
    const by = UUID_PATTERN.test(idOrSlug)
      ? { id: idOrSlug.toLowerCase() }
      : SLUG_PATTERN.test(idOrSlug)
        ? { slug: idOrSlug }
        : null;
    const product = by && (await findProduct(deps.db, by, { includeArchived: false }));
    if (!product) throw new Problem(404, `No offer ${JSON.stringify(idOrSlug)}.`);
    const etag = formatEtag(product.version);
    const ifNoneMatch = parseIfMatch(c.req.valid('header')['if-none-match']);
    if (
      ifNoneMatch.kind === 'any' ||
      (ifNoneMatch.kind === 'versions' && ifNoneMatch.versions.includes(product.version))
    ) {
      return c.body(null, 304, { ETag: etag });
    }
    return c.json(presentOffer(product), 200, { ETag: etag });
  });
}
