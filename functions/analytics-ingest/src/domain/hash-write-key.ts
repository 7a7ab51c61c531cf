// Write keys are stored only as a keyed hash: a copy of the database alone lets no one send
// as a source, nor test guesses offline without the key in ANALYTICS_WRITE_KEY_SECRET.
import { createHmac, randomBytes } from 'node:crypto';

/**
 * The stored form of a write key: HMAC-SHA-256 under `secret`, hex.
 * @example hashWriteKey('wk_…', secret).length // 64
 */
export function hashWriteKey(writeKey: string, secret: string): string {
  return createHmac('sha256', secret).update(writeKey, 'utf8').digest('hex');
}

/**
 * A new write key: `wk_` and 32 base64url characters (192 random bits).
 * @example makeWriteKey() // 'wk_Qm9…'
 */
export function makeWriteKey(): string {
  return `wk_${randomBytes(24).toString('base64url')}`;
}

/** What staff see of a key after creation: its first characters. */
export function writeKeyHint(writeKey: string): string {
  return `${writeKey.slice(0, 7)}…`;
}
