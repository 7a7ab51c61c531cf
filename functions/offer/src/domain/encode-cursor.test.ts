import { describe, expect, it } from 'vitest';
import { decodeCursor } from './decode-cursor.js';
import { encodeCursor, fingerprintListing } from './encode-cursor.js';
import type { Listing } from './product.js';

const id = '0190a4b2-1111-7222-8333-444455556666';
const newest: Listing = { scope: 'public', sort: 'newest' };

function rawCursor(payload: unknown): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

describe('encodeCursor / decodeCursor', () => {
  it('round-trips the position of each sort order', () => {
    const cases: [Listing, string | number][] = [
      [newest, '2025-01-14T09:12:00.123456Z'],
      [{ scope: 'public', sort: 'price_asc', minPrice: 100 }, 1299],
      [{ scope: 'admin', sort: 'price_desc', status: 'archived' }, 0],
      [{ scope: 'public', sort: 'name', category: 'kitchen' }, "chef's knife"],
      [{ scope: 'public', sort: 'relevance', q: 'kettle' }, '0.0607927'],
    ];
    for (const [listing, key] of cases) {
      const cursor = encodeCursor(listing, { key, id });
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor, listing)).toEqual({ ok: true, position: { key, id } });
    }
  });

  it('refuses a cursor made for another sort, filter, search or scope', () => {
    const cursor = encodeCursor(
      { scope: 'public', sort: 'price_asc', category: 'books' },
      {
        key: 500,
        id,
      },
    );
    for (const other of [
      { scope: 'public', sort: 'price_desc', category: 'books' },
      { scope: 'public', sort: 'price_asc', category: 'toys' },
      { scope: 'public', sort: 'price_asc' },
      { scope: 'public', sort: 'price_asc', category: 'books', maxPrice: 10 },
      { scope: 'admin', sort: 'price_asc', category: 'books' },
    ] satisfies Listing[]) {
      const decoded = decodeCursor(cursor, other);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.reason).toMatch(/another sort or filter/);
    }
  });

  it('refuses garbage and tampered cursors', () => {
    const f = fingerprintListing(newest);
    const bad = [
      '',
      'not a cursor!',
      'x'.repeat(2000),
      Buffer.from('not json').toString('base64url'),
      rawCursor(null),
      rawCursor([1, 2]),
      rawCursor({ v: 2, f, k: '2025-01-14T09:12:00.000000Z', i: id }),
      rawCursor({
        v: 1,
        f,
        k: '2025-01-14T09:12:00.000000Z',
        i: "1'; DROP TABLE offer.product; --",
      }),
      rawCursor({ v: 1, f, k: '2025-13-14T09:12:00.000000Z', i: id }),
      rawCursor({ v: 1, f, k: '2025-02-30T09:12:00.000000Z', i: id }),
      rawCursor({ v: 1, f, k: '0000-01-01T00:00:00.000000Z', i: id }),
      rawCursor({ v: 1, f, k: 'yesterday', i: id }),
      rawCursor({ v: 1, f, k: 12, i: id }),
    ];
    for (const cursor of bad) expect(decodeCursor(cursor, newest).ok).toBe(false);
  });

  it('accepts only keys the database can read back for the sort', () => {
    const price: Listing = { scope: 'public', sort: 'price_asc' };
    const relevance: Listing = { scope: 'public', sort: 'relevance', q: 'tent' };
    const name: Listing = { scope: 'public', sort: 'name' };
    const at = (listing: Listing, k: unknown) =>
      decodeCursor(rawCursor({ v: 1, f: fingerprintListing(listing), k, i: id }), listing).ok;
    expect(at(price, -1)).toBe(false);
    expect(at(price, 1.5)).toBe(false);
    expect(at(price, 2 ** 60)).toBe(false);
    expect(at(price, '100')).toBe(false);
    expect(at(relevance, '1e-50')).toBe(false);
    expect(at(relevance, 'NaN')).toBe(false);
    expect(at(relevance, '0.1 OR 1=1')).toBe(false);
    expect(at(relevance, '0')).toBe(true);
    expect(at(name, 'a\u0000b')).toBe(false);
    expect(at(name, 'a\ud800b')).toBe(false);
    expect(at(name, 42)).toBe(false);
  });
});
