// The envelope of opaque pagination cursors: what the position inside means is each listing's.
import { createHash } from 'node:crypto';

const BASE64URL = /^[A-Za-z0-9_-]{1,1000}$/;

/**
 * A short fingerprint (16 base64url characters) of the values a listing's cursor is bound to,
 * such as its sort and filters: a cursor then only continues the listing that made it.
 * @example cursorFingerprint(['users', q ?? null]) // 'c3Vw…'
 */
export function cursorFingerprint(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

/**
 * An opaque cursor: base64url of the JSON of `payload`.
 * @example encodeOpaqueCursor({ v: 1, f: cursorFingerprint([sort]), k: 1299, i: id })
 */
export function encodeOpaqueCursor(payload: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/**
 * The JSON object an opaque cursor carries, or undefined when the cursor is not exactly the
 * base64url of one (at most 1000 characters); the caller still validates every field.
 * @example const payload = decodeOpaqueCursor(query.cursor); if (!payload || payload.v !== 1) return invalid;
 */
export function decodeOpaqueCursor(cursor: string): Record<string, unknown> | undefined {
  if (!BASE64URL.test(cursor)) return undefined;
  const bytes = Buffer.from(cursor, 'base64url');
  // Node decodes base64 leniently; only the exact encoding of the bytes is a cursor we made.
  if (bytes.toString('base64url') !== cursor) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  return payload as Record<string, unknown>;
}
