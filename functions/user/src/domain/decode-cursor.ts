import { decodeOpaqueCursor } from '@shop/shared';
import { type CursorPosition, fingerprintSearch } from './encode-cursor.js';
import { UUID_PATTERN } from './profile.js';

export type DecodedCursor = { ok: true; position: CursorPosition } | { ok: false; reason: string };

// Years 0001–9999 only: PostgreSQL knows no year 0, and a cursor we made never holds another.
const ISO_MILLIS = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Reads a cursor back, refusing one that is malformed or was made for another search. Every
 * value it returns is safe to bind as a SQL parameter.
 * @example decodeCursor(query.cursor, query.q) // { ok: true, position: { createdAt, userId } }
 */
export function decodeCursor(cursor: string, q: string | undefined): DecodedCursor {
  const invalid = { ok: false, reason: 'The cursor is not valid.' } as const;
  const payload = decodeOpaqueCursor(cursor);
  if (!payload) return invalid;
  const { v, f, t, i } = payload;
  if (v !== 1 || typeof f !== 'string' || typeof i !== 'string' || !UUID_PATTERN.test(i)) {
    return invalid;
  }
  if (typeof t !== 'string' || !ISO_MILLIS.test(t)) return invalid;
  const createdAt = new Date(t);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== t) return invalid;
  if (f !== fingerprintSearch(q)) {
    return { ok: false, reason: 'The cursor belongs to another search; start again without it.' };
  }
  return { ok: true, position: { createdAt, userId: i } };
}
