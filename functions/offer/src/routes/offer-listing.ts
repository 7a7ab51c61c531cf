// The listing behind GET /api/offers and GET /api/admin/offers: sort, filters, keyset pages.
import { type Database, Problem } from '@shop/shared';
import { chooseSort } from '../domain/choose-sort.js';
import { decodeCursor } from '../domain/decode-cursor.js';
import { encodeCursor } from '../domain/encode-cursor.js';
import type { Listing, ProductStatus, SortOrder } from '../domain/product.js';
import { listProducts } from '../store.js';
import { type OfferJson, presentOffer } from './schemas.js';

export interface ListingRequest {
  q?: string | undefined;
  category?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  sort?: SortOrder | undefined;
  limit: number;
  cursor?: string | undefined;
  status?: ProductStatus | undefined;
}

function badQuery(name: string, reason: string): Problem {
  return new Problem(400, `The request query is not valid: ${reason}`, {
    type: 'https://shop.example/problems/validation',
    title: 'Invalid request',
    errors: [{ name: `query.${name}`, reason }],
  });
}

/**
 * Answers one listing page. `public` lists active products only; `admin` lists every status
 * unless `status` narrows it.
 */
export async function answerListing(
  db: Database,
  scope: Listing['scope'],
  request: ListingRequest,
): Promise<{ items: OfferJson[]; nextCursor: string | null }> {
  // Whitespace-only search text means no search.
  const q = request.q ? request.q : undefined;
  const chosen = chooseSort(request.sort, q);
  if (!chosen.ok) throw badQuery('sort', chosen.reason);
  const listing: Listing = {
    scope,
    sort: chosen.sort,
    ...(q !== undefined && { q }),
    ...(request.category !== undefined && { category: request.category }),
    ...(request.minPrice !== undefined && { minPrice: request.minPrice }),
    ...(request.maxPrice !== undefined && { maxPrice: request.maxPrice }),
    ...(scope === 'admin' && request.status !== undefined && { status: request.status }),
  };
  let after: ReturnType<typeof decodeCursor> | undefined;
  if (request.cursor !== undefined) {
    after = decodeCursor(request.cursor, listing);
    if (!after.ok) throw badQuery('cursor', after.reason);
  }
  const statuses: ProductStatus[] =
    scope === 'public' ? ['active'] : listing.status ? [listing.status] : ['active', 'archived'];
  const page = await listProducts(db, {
    ...listing,
    statuses,
    limit: request.limit,
    ...(after?.ok && { after: after.position }),
  });
  return {
    items: page.products.map(presentOffer),
    nextCursor: page.next ? encodeCursor(listing, page.next) : null,
  };
}
