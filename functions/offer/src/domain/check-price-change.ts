import type { Price } from './product.js';

export type PriceCheck =
  | { kind: 'unchanged' }
  | { kind: 'wrong-currency'; catalogCurrency: string }
  | { kind: 'changed'; previous: Price | null; next: Price };

/**
 * Whether setting `next` changes the price. The catalog sells in one currency: sorting and
 * price filters compare amounts, which only works when every price uses the same one.
 * @example checkPriceChange({ amount: 1299, currency: 'EUR' }, { amount: 999, currency: 'EUR' }, 'EUR')
 */
export function checkPriceChange(
  previous: Price | null,
  next: Price,
  catalogCurrency: string,
): PriceCheck {
  if (next.currency !== catalogCurrency) return { kind: 'wrong-currency', catalogCurrency };
  if (previous && previous.amount === next.amount && previous.currency === next.currency) {
    return { kind: 'unchanged' };
  }
  return { kind: 'changed', previous, next };
}
