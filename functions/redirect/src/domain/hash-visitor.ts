// The visitor's IP is never stored: clicks carry a keyed hash of it whose key changes every UTC
// day, so hashes link one visitor's clicks within a day and nothing across days.
import { createHmac } from 'node:crypto';

/**
 * Hashes a visitor's IP under the day's key (HMAC-SHA-256 of the IP under a key derived from
 * the secret and the UTC date), 32 hex characters.
 * @example hashVisitor(secret, '203.0.113.7', new Date()) // '9f2c…'
 */
export function hashVisitor(secret: string, ip: string, at: Date): string {
  const day = at.toISOString().slice(0, 10);
  const dayKey = createHmac('sha256', secret).update(`visitor-ip:${day}`).digest();
  return createHmac('sha256', dayKey).update(ip).digest('hex').slice(0, 32);
}
