// Short signed tokens for cookies: `base64url(JSON).base64url(HMAC-SHA-256)`. They carry ids
// and an expiry, never a secret (the unlock cookie proves a password was given, not which).
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * @example signToken(secret, { l: linkId, exp: 1767225600 })
 */
export function signToken(secret: string, payload: Record<string, string | number>): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const mac = createHmac('sha256', secret).update(body).digest('base64url');
  return `${body}.${mac}`;
}

/**
 * The payload of a token this secret signed and whose `exp` (seconds) is after `now`, else
 * undefined (also for a token longer than `maxLength`).
 */
export function verifySignedToken(
  secret: string,
  token: string | undefined,
  now: Date,
  maxLength = 512,
): Record<string, unknown> | undefined {
  if (!token || token.length > maxLength) return undefined;
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined) return undefined;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
    if (typeof payload !== 'object' || payload === null) return undefined;
    const exp = (payload as { exp?: unknown }).exp;
    if (typeof exp !== 'number' || exp * 1000 <= now.getTime()) return undefined;
    return payload as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
