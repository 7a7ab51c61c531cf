import { randomBytes } from 'node:crypto';

/** Anonymous cart ids: 256 random bits, base64url without padding (43 characters). */
export const CART_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new unguessable anonymous cart id. */
export function newCartId(): string {
  return randomBytes(32).toString('base64url');
}

/** The key-value key of a cart: a signed-in user's, or an anonymous one's. */
export function cartKey(owner: { userId: string } | { cartId: string }): string {
  return 'userId' in owner ? `cart:user:${owner.userId}` : `cart:anon:${owner.cartId}`;
}
