// The visitor's IP is never stored: clicks carry a keyed hash of it whose key changes every UTC
// day, so hashes link one visitor's clicks within a day and nothing across days.
import { createHmac } from 'node:crypto';

/**
 * Hashes a visitor's IP under the day's key (HMAC-SHA-256 of the IP under a key derived from
 * the secret and the UTC date), 32 hex characters.
 * @example hashVisitor(secret, '203.0.113.7', new Date()) // '9f2c…'
 */
export function hashVisitor(secret: string, ip: string, at: Date): string {
  return createHmac('sha256', dayKeyOf(secret, at)).update(ip).digest('hex').slice(0, 32);
}

// The day's key is derived once per day and secret (the hot path hashes every request).
let cached: { secret: string; day: number; key: Buffer } | undefined;
function dayKeyOf(secret: string, at: Date): Buffer {
  const day = Math.floor(at.getTime() / 86_400_000);
  if (cached?.secret !== secret || cached.day !== day) {
    const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    cached = {
      secret,
      day,
      key: createHmac('sha256', secret).update(`visitor-ip:${date}`).digest(),
    };
  }
  return cached.key;
}
