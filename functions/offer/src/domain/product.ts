// The catalog's model: what a product and a category are, independent of HTTP and SQL.
import type { Money } from '@shop/shared';

export const PRODUCT_STATUSES = ['active', 'archived'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/** A price: the shared kit's Money, integer minor units (cents) with an ISO 4217 currency. */
export type Price = Money;

export interface Product {
  id: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  priceAmount: number;
  currency: string;
  images: string[];
  stock: number;
  status: ProductStatus;
  /** Starts at 1 and increments on every change; the ETag is `W/"<version>"`. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The fields staff can change with one edit (price and status have their own routes). */
export interface ProductChanges {
  slug?: string;
  name?: string;
  description?: string;
  category?: string;
  images?: string[];
  stock?: number;
  status?: ProductStatus;
  priceAmount?: number;
  currency?: string;
}

export interface Category {
  slug: string;
  name: string;
  description: string;
  /** Active products in the category. */
  productCount: number;
}

export const SORT_ORDERS = ['relevance', 'newest', 'price_asc', 'price_desc', 'name'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** Where a listing page ends: the sort key of its last product and that product's id. */
export interface CursorPosition {
  /** Sort key as the database compares it: micro-second ISO time, price, lower-case name or rank. */
  key: string | number;
  id: string;
}

/** Everything that decides which products a listing returns, in which order. */
export interface Listing {
  scope: 'public' | 'admin';
  sort: SortOrder;
  q?: string;
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  status?: ProductStatus;
}

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why staff changed a stock count; a PATCH that sets the count is a `correction`. */
export const STOCK_ADJUSTMENT_REASONS = [
  'received',
  'returned',
  'damaged',
  'lost',
  'correction',
  'other',
] as const;
export type StockAdjustmentReason = (typeof STOCK_ADJUSTMENT_REASONS)[number];

/** One recorded change of a product's stock count (offer.stock_adjustment). */
export interface StockAdjustment {
  id: string;
  productId: string;
  /** Units added (> 0) or taken away (< 0). */
  change: number;
  stockAfter: number;
  reason: StockAdjustmentReason;
  note: string | null;
  /** The verified staff subject who made it. */
  adjustedBy: string | null;
  createdAt: Date;
}
