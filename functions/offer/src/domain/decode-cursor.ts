import { decodeOpaqueCursor } from '@shop/shared';
import { fingerprintListing } from './encode-cursor.js';
import { type CursorPosition, type Listing, type SortOrder, UUID_PATTERN } from './product.js';

export type DecodedCursor = { ok: true; position: CursorPosition } | { ok: false; reason: string };

// Years 0001–9999 only: PostgreSQL knows no year 0, and a cursor we made never holds another.
const MICROSECOND_TIME = /^(?!0000)(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
const RANK = /^[0-9.e+-]{1,32}$/;

function isTime(value: unknown): value is string {
  if (typeof value !== 'string' || !MICROSECOND_TIME.test(value)) return false;
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) return false;
  // Date.parse rolls 02-30 over to 03-02; the database would refuse it.
  return new Date(millis).toISOString().slice(0, 19) === value.slice(0, 19);
}

function isRank(value: unknown): value is string {
  if (typeof value !== 'string' || !RANK.test(value)) return false;
  const rank = Number(value);
  // A `real` holds 0 or magnitudes from about 1e-38 to 3e38; the database refuses the rest.
  return Number.isFinite(rank) && (rank === 0 || (Math.abs(rank) >= 1e-30 && rank <= 1e30));
}

function isKeyOf(sort: SortOrder, key: unknown): key is string | number {
  switch (sort) {
    case 'newest':
      return isTime(key);
    case 'price_asc':
    case 'price_desc':
      return Number.isSafeInteger(key) && (key as number) >= 0;
    case 'name':
      // A stored name may predate the text rule: only what the database cannot take is refused.
      return (
        typeof key === 'string' &&
        key.length <= 1000 &&
        !key.includes('\u0000') &&
        key.isWellFormed()
      );
    case 'relevance':
      return isRank(key);
  }
}

/**
 * Reads a cursor back, refusing one that is malformed or was made for another sort or filter.
 * Every value it returns is safe to bind as a SQL parameter of the listing's sort.
 * @example decodeCursor(query.cursor, listing) // { ok: true, position: { key: 1299, id } }
 */
export function decodeCursor(cursor: string, listing: Listing): DecodedCursor {
  const invalid = { ok: false, reason: 'The cursor is not valid.' } as const;
  const payload = decodeOpaqueCursor(cursor);
  if (!payload) return invalid;
  const { v, f, k, i } = payload;
  if (v !== 1 || typeof f !== 'string' || typeof i !== 'string' || !UUID_PATTERN.test(i)) {
    return invalid;
  }
  if (f !== fingerprintListing(listing)) {
    return {
      ok: false,
      reason: 'The cursor belongs to another sort or filter; start again without a cursor.',
    };
  }
  if (!isKeyOf(listing.sort, k)) return invalid;
  return { ok: true, position: { key: k, id: i } };
}
