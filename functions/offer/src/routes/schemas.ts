// Schemas the offer routes share: the product as clients see it, problems, listing parameters.
import { z } from '@hono/zod-openapi';
import { isCleanText, MAX_UNIT_AMOUNT, text as sharedText } from '@shop/shared';
import {
  PRODUCT_STATUSES,
  type Product,
  SLUG_PATTERN,
  SORT_ORDERS,
  UUID_PATTERN,
} from '../domain/product.js';

/**
 * Free text stored in PostgreSQL, trimmed: the kit's rule (no control characters, no lone
 * surrogates); `multiline` allows tab and line breaks (descriptions).
 */
export const text = (max: number, min = 0, multiline = false) =>
  sharedText({ max, min, multiline });

export const SlugSchema = sharedText({ max: 100, trim: false })
  .regex(SLUG_PATTERN, 'must be lowercase kebab-case (a-z, 0-9 and single hyphens)')
  .refine((slug) => !UUID_PATTERN.test(slug), 'must not look like a uuid')
  .openapi({ example: 'stovetop-espresso-maker' });

export const IdSchema = z.guid().toLowerCase().openapi({ format: 'uuid' });

export const CurrencySchema = sharedText({ max: 3, trim: false })
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code (3 uppercase letters)')
  .openapi({ example: 'EUR' });

/** A unit price: integer minor units (cents), at most MAX_UNIT_AMOUNT (1,000,000.00). */
export const AmountSchema = z.int().min(0).max(MAX_UNIT_AMOUNT).openapi({ example: 1299 });

export const StockSchema = z.int().min(0).max(1_000_000_000).openapi({ example: 12 });

export const ImagesSchema = z
  .array(
    z
      .url({
        protocol: /^https$/,
        hostname: z.regexes.domain,
        error: 'must be an absolute https URL',
      })
      .max(2048)
      .refine((url) => isCleanText(url), 'must not contain control characters or lone surrogates'),
  )
  .max(20);

export const ProductStatusSchema = z.enum(PRODUCT_STATUSES);

export const OfferSchema = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    priceAmount: z.int().openapi({ description: 'Price in minor units (cents).' }),
    currency: z.string(),
    images: z.array(z.string()),
    stock: z.int(),
    status: ProductStatusSchema,
    version: z
      .int()
      .openapi({ description: 'Increments on every change; the ETag is W/"<version>".' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Offer');
export type OfferJson = z.infer<typeof OfferSchema>;

export const OfferPageSchema = z
  .object({
    items: z.array(OfferSchema),
    nextCursor: z.string().nullable().openapi({ description: 'null on the last page' }),
  })
  .openapi('OfferPage');

export const CategorySchema = z
  .object({
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    productCount: z.int().openapi({ description: 'Active products in the category.' }),
  })
  .openapi('Category');

// The problem+json schema and response are the shared kit's: one `Problem` component for all.
export { problemJson as problem, problemJsonSchema as ProblemSchema } from '@shop/shared';

export const ETagHeader = {
  ETag: { description: 'W/"<version>"', schema: { type: 'string' as const } },
};

const minorUnitsParam = z.coerce
  .number()
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .openapi({ type: 'integer', minimum: 0, description: 'Minor units (cents).' });

/** Query parameters of a catalog listing (public and staff). */
export const listingParams = {
  q: text(200).optional().openapi({
    description: 'Full-text search (web search syntax: "quoted phrase", -exclude, or).',
  }),
  category: SlugSchema.optional(),
  minPrice: minorUnitsParam.optional(),
  maxPrice: minorUnitsParam.optional(),
  sort: z.enum(SORT_ORDERS).optional().openapi({
    description: 'Default: relevance when q is given, else newest. relevance needs q.',
  }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(24)
    .openapi({ type: 'integer', minimum: 1, maximum: 100, default: 24 }),
  cursor: text(1000)
    .optional()
    .openapi({ description: 'nextCursor of the previous page, with the same sort and filters.' }),
};

/** Refuses a price range that can match nothing because it is upside down. */
export function checkPriceRange(
  query: { minPrice?: number | undefined; maxPrice?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  if (query.minPrice !== undefined && query.maxPrice !== undefined) {
    if (query.minPrice > query.maxPrice) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxPrice'],
        message: 'must not be less than minPrice',
      });
    }
  }
}

/** The product as clients see it: times in UTC ISO-8601. */
export function presentOffer(product: Product): OfferJson {
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    description: product.description,
    category: product.category,
    priceAmount: product.priceAmount,
    currency: product.currency,
    images: product.images,
    stock: product.stock,
    status: product.status,
    version: product.version,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}
