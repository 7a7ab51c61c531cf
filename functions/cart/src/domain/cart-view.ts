// A cart as shoppers see it: each line with offer's current price and stock, and the total.
import type { Money } from '@shop/shared';

/** A cart line as shoppers see it: current price and stock from offer. */
export interface CartLineView {
  productId: string;
  slug: string | null;
  name: string | null;
  quantity: number;
  /** Offer's price now; null once offer no longer sells the product. */
  unitPrice: Money | null;
  priceWhenAdded: Money;
  priceChanged: boolean;
  lineTotal: Money | null;
  /** Units offer has in stock (0 when the product is gone). */
  available: number;
  /** Whether the whole quantity can be bought now. */
  inStock: boolean;
  /** The most this line may hold now: min(stock, 99). */
  maxQuantity: number;
  /** False when offer no longer sells the product (archived or deleted). */
  purchasable: boolean;
}

export interface CartView {
  /** The anonymous cart id; null for a user's cart. */
  cartId: string | null;
  items: CartLineView[];
  itemCount: number;
  /** Of the purchasable lines only. */
  total: Money;
  expiresAt: string | null;
}

/** What merging an anonymous cart into a user's did. */
export interface CartMerge {
  /** Lines taken over from the anonymous cart. */
  merged: number;
  /** Product ids whose quantity was cut to min(stock, 99). */
  capped: string[];
  /** Product ids no longer for sale, left out. */
  dropped: string[];
}
