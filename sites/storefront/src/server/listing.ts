// A catalog listing's query string (search, category page): what the shopper asked for, checked
// and turned into the gateway's listing parameters, and the links to the next and first page.
import type { ListingQuery, Product } from './gateway-client.js';
import { parseMajorAmount } from './money.js';

export const SORTS = ['relevance', 'newest', 'price_asc', 'price_desc', 'name'] as const;
export type Sort = (typeof SORTS)[number];

/** The filters a listing page shows in its form, as the shopper typed them. */
export interface ListingRequest {
  q: string;
  category: string;
  minPrice: string;
  maxPrice: string;
  inStock: boolean;
  sort: Sort | '';
  cursor: string;
}

const CATEGORY = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const clip = (value: string | null, max: number) => (value ?? '').trim().slice(0, max);

/**
 * The listing the query string asks for; what is not valid is dropped, never sent on.
 * @example readListing(new URLSearchParams('q=kettle&sort=price_asc')).sort // 'price_asc'
 */
export function readListing(params: URLSearchParams, fixedCategory?: string): ListingRequest {
  const sort = params.get('sort') ?? '';
  const category = fixedCategory ?? clip(params.get('category'), 100);
  return {
    q: clip(params.get('q'), 200),
    category: CATEGORY.test(category) ? category : '',
    minPrice: clip(params.get('minPrice'), 12),
    maxPrice: clip(params.get('maxPrice'), 12),
    inStock: params.get('inStock') === '1',
    sort: (SORTS as readonly string[]).includes(sort) ? (sort as Sort) : '',
    cursor: clip(params.get('cursor'), 1000),
  };
}

/**
 * The gateway's listing parameters (prices in minor units of `currency`).
 * @example toListingQuery(readListing(new URLSearchParams('minPrice=10')), 'EUR').minPrice // 1000
 */
export function toListingQuery(
  request: ListingRequest,
  currency: string,
  limit = 24,
): ListingQuery {
  const min = parseMajorAmount(request.minPrice, currency);
  const max = parseMajorAmount(request.maxPrice, currency);
  const sort = request.sort === 'relevance' && !request.q ? undefined : request.sort || undefined;
  return {
    q: request.q || undefined,
    category: request.category || undefined,
    minPrice: min,
    // A range typed the wrong way round is read as meant.
    maxPrice: max !== undefined && min !== undefined && max < min ? undefined : max,
    sort,
    cursor: request.cursor || undefined,
    limit,
  };
}

/**
 * The query string of this listing with `changes` applied (empty values left out).
 * @example listingSearch(request, { cursor: 'abc' }) // '?q=kettle&cursor=abc'
 */
export function listingSearch(
  request: ListingRequest,
  changes: Partial<ListingRequest>,
  fixedCategory?: string,
): string {
  const merged = { ...request, ...changes };
  const params = new URLSearchParams();
  if (merged.q) params.set('q', merged.q);
  if (merged.category && merged.category !== fixedCategory) params.set('category', merged.category);
  if (merged.minPrice) params.set('minPrice', merged.minPrice);
  if (merged.maxPrice) params.set('maxPrice', merged.maxPrice);
  if (merged.inStock) params.set('inStock', '1');
  if (merged.sort) params.set('sort', merged.sort);
  if (merged.cursor) params.set('cursor', merged.cursor);
  return params.size ? `?${params}` : '';
}

/**
 * The products of a page the shopper sees: with "in stock only", those with stock left (the
 * catalog API has no stock filter yet, so this narrows each page it answers).
 */
export function visibleProducts(items: Product[], request: ListingRequest): Product[] {
  return request.inStock ? items.filter((product) => product.stock > 0) : items;
}
