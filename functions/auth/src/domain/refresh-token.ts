import { createHash, randomBytes } from 'node:crypto';

/**
 * A new opaque refresh token: 32 random bytes, base64url (43 characters).
 * @example const token = newRefreshToken(); // 'q3f…'
 */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What the database stores of a refresh token: its SHA-256, base64url. A leaked table gives no
 * usable token; the token's 256 bits make a slow hash unnecessary.
 * @example hashRefreshToken(token) // 'Xk9…'
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}
