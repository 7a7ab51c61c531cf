import { MoneyRangeError } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { computeLineTotal } from './compute-line-total.js';

describe('computeLineTotal', () => {
  it('multiplies the unit price by the quantity in its currency', () => {
    expect(computeLineTotal({ amount: 1250, currency: 'EUR' }, 3)).toEqual({
      amount: 3750,
      currency: 'EUR',
    });
  });

  it('refuses a total that would not be exact', () => {
    expect(() =>
      computeLineTotal({ amount: Number.MAX_SAFE_INTEGER, currency: 'EUR' }, 99),
    ).toThrow(MoneyRangeError);
  });
});
