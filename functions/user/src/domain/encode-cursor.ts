import { cursorFingerprint, encodeOpaqueCursor } from '@shop/shared';

/** Where a staff listing page ended: the last profile's creation time and id. */
export interface CursorPosition {
  createdAt: Date;
  userId: string;
}

/**
 * A short fingerprint of a listing's search text: a cursor only continues the listing that
 * made it.
 * @example fingerprintSearch('ada') // 'c3Vw…'
 */
export function fingerprintSearch(q: string | undefined): string {
  return cursorFingerprint(['users', q ?? null]);
}

/**
 * The opaque `nextCursor` of a staff listing page: base64url JSON of the last profile's position.
 * @example encodeCursor('ada', { createdAt, userId })
 */
export function encodeCursor(q: string | undefined, position: CursorPosition): string {
  return encodeOpaqueCursor({
    v: 1,
    f: fingerprintSearch(q),
    t: position.createdAt.toISOString(),
    i: position.userId,
  });
}
