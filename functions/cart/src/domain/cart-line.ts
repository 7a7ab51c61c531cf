// A cart line as the key-value store keeps it: one hash field per product.
import type { Money } from '@shop/shared';

/** One product in a cart: the quantity and the price the shopper saw when adding it. */
export interface CartLine {
  quantity: number;
  priceWhenAdded: Money;
  addedAt: string;
}

/** Most of one product a cart holds. */
export const MAX_LINE_QUANTITY = 99;

/**
 * Most products (lines) a cart holds. With offer's MAX_UNIT_AMOUNT and MAX_LINE_QUANTITY, a cart
 * total stays below MAX_AMOUNT (10^12 minor units), so every sum is an exact safe integer.
 */
export const MAX_CART_LINES = 100;

/** The hash field value of a line. */
export function encodeLine(line: CartLine): string {
  return JSON.stringify(line);
}

/** A stored line, or null when the value is not one (skipped rather than failing the cart). */
export function decodeLine(value: string): CartLine | null {
  try {
    const parsed = JSON.parse(value) as Partial<CartLine>;
    if (
      typeof parsed.quantity !== 'number' ||
      !Number.isInteger(parsed.quantity) ||
      parsed.quantity < 1 ||
      typeof parsed.priceWhenAdded?.amount !== 'number' ||
      typeof parsed.priceWhenAdded.currency !== 'string'
    ) {
      return null;
    }
    return {
      quantity: parsed.quantity,
      priceWhenAdded: parsed.priceWhenAdded,
      addedAt: typeof parsed.addedAt === 'string' ? parsed.addedAt : new Date(0).toISOString(),
    };
  } catch {
    return null;
  }
}

/** The lines of a stored cart hash, by product id. */
export function decodeCart(hash: Record<string, string>): Map<string, CartLine> {
  const lines = new Map<string, CartLine>();
  for (const [productId, value] of Object.entries(hash)) {
    const line = decodeLine(value);
    if (line) lines.set(productId, line);
  }
  return lines;
}
