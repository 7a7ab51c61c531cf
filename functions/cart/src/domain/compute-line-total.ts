import { type Money, multiplyMoney } from '@shop/shared';

/**
 * A line's total: unit price × quantity, exact or a MoneyRangeError (never a rounded amount).
 * The cart view, the order and its totals all use this one.
 * @example computeLineTotal({ amount: 1250, currency: 'EUR' }, 3); // { amount: 3750, currency: 'EUR' }
 */
export function computeLineTotal(unitPrice: Money, quantity: number): Money {
  return multiplyMoney(unitPrice, quantity);
}
