import { MAX_AMOUNT, MAX_UNIT_AMOUNT, money, sumMoney } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { MAX_CART_LINES, MAX_LINE_QUANTITY } from './cart-line.js';
import { computeLineTotal } from './compute-line-total.js';

describe('the bounds of a cart', () => {
  it('keep the largest possible total an exact safe integer, below MAX_AMOUNT', () => {
    const largest = MAX_UNIT_AMOUNT * MAX_LINE_QUANTITY * MAX_CART_LINES;
    expect(largest).toBeLessThanOrEqual(MAX_AMOUNT);
    expect(MAX_AMOUNT).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    // The way the cart computes it: line totals, then their sum, never a MoneyRangeError.
    const line = computeLineTotal(money(MAX_UNIT_AMOUNT, 'EUR'), MAX_LINE_QUANTITY);
    const total = sumMoney(
      Array.from({ length: MAX_CART_LINES }, () => line),
      'EUR',
    );
    expect(total.amount).toBe(largest);
    expect(Number.isSafeInteger(total.amount)).toBe(true);
    // A thousand refunds of MAX_AMOUNT still sum exactly.
    expect(Number.isSafeInteger(MAX_AMOUNT * 1000)).toBe(true);
  });
});
