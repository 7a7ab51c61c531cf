import { cursorFingerprint, encodeOpaqueCursor } from '@shop/shared';
import type { CursorPosition, Listing } from './product.js';

/** What an opaque cursor carries: its format version, the listing it belongs to, the position. */
export interface CursorPayload {
  v: 1;
  /** Fingerprint of the sort and filters; a cursor only continues the listing that made it. */
  f: string;
  k: string | number;
  i: string;
}

/**
 * A short fingerprint of a listing's sort and filters (not its page size).
 * @example fingerprintListing({ scope: 'public', sort: 'newest' }) // 'x3Q0…'
 */
export function fingerprintListing(listing: Listing): string {
  return cursorFingerprint([
    listing.scope,
    listing.sort,
    listing.q ?? null,
    listing.category ?? null,
    listing.minPrice ?? null,
    listing.maxPrice ?? null,
    listing.status ?? null,
  ]);
}

/**
 * The opaque `nextCursor` of a listing page: base64url JSON of the last product's position.
 * @example encodeCursor(listing, { key: 1299, id: '0190…' })
 */
export function encodeCursor(listing: Listing, position: CursorPosition): string {
  const payload: CursorPayload = {
    v: 1,
    f: fingerprintListing(listing),
    k: position.key,
    i: position.id,
  };
  return encodeOpaqueCursor({ ...payload });
}
