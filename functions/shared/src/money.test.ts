import { describe, expect, it } from 'vitest';
import {
  addMoney,
  CurrencyMismatchError,
  MoneyRangeError,
  money,
  multiplyMoney,
  sumMoney,
} from './money.js';

const MAX = Number.MAX_SAFE_INTEGER;

describe('money', () => {
  it('makes money of integer minor units and an ISO 4217 code', () => {
    expect(money(4990, 'EUR')).toEqual({ amount: 4990, currency: 'EUR' });
    expect(money(-250, 'USD')).toEqual({ amount: -250, currency: 'USD' });
    expect(money(MAX, 'EUR').amount).toBe(MAX);
    expect(money(-MAX, 'EUR').amount).toBe(-MAX);
  });

  it('refuses fractions, NaN, infinities and amounts beyond the safe-integer range', () => {
    for (const amount of [12.5, Number.NaN, Number.POSITIVE_INFINITY, MAX + 1, -MAX - 1]) {
      expect(() => money(amount, 'EUR')).toThrow(MoneyRangeError);
    }
    expect(() => money(0.1, 'EUR')).toThrow('not an integer');
    expect(() => money(MAX + 1, 'EUR')).toThrow('beyond the safe-integer range');
  });

  it('refuses a currency that is not an uppercase ISO 4217 code', () => {
    for (const currency of ['eur', 'EURO', '', 'E1R']) {
      expect(() => money(100, currency)).toThrow(MoneyRangeError);
    }
  });

  it('throws a RangeError subclass with its own name', () => {
    const error = (() => {
      try {
        money(1.5, 'EUR');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({ name: 'MoneyRangeError' });
  });
});

describe('addMoney', () => {
  it('adds amounts of one currency', () => {
    expect(addMoney(money(1000, 'EUR'), money(250, 'EUR'))).toEqual(money(1250, 'EUR'));
  });

  it('refuses to mix currencies', () => {
    expect(() => addMoney(money(100, 'EUR'), money(100, 'USD'))).toThrow(CurrencyMismatchError);
    expect(() => addMoney(money(100, 'EUR'), money(100, 'USD'))).toThrow(
      'Cannot combine USD with EUR',
    );
  });

  it('reaches Number.MAX_SAFE_INTEGER exactly and refuses one more', () => {
    expect(addMoney(money(MAX - 1, 'EUR'), money(1, 'EUR')).amount).toBe(MAX);
    expect(() => addMoney(money(MAX, 'EUR'), money(1, 'EUR'))).toThrow(MoneyRangeError);
    expect(addMoney(money(-MAX + 1, 'EUR'), money(-1, 'EUR')).amount).toBe(-MAX);
    expect(() => addMoney(money(-MAX, 'EUR'), money(-1, 'EUR'))).toThrow(MoneyRangeError);
  });

  it('refuses operands that were not checked money', () => {
    expect(() => addMoney({ amount: 0.5, currency: 'EUR' }, money(1, 'EUR'))).toThrow(
      MoneyRangeError,
    );
  });
});

describe('multiplyMoney', () => {
  it('multiplies a unit price by a quantity', () => {
    expect(multiplyMoney(money(1250, 'EUR'), 3)).toEqual(money(3750, 'EUR'));
    expect(multiplyMoney(money(1250, 'EUR'), 0)).toEqual(money(0, 'EUR'));
  });

  it('reaches Number.MAX_SAFE_INTEGER exactly and refuses a product past it', () => {
    // 2^53 − 1 = 441650591 × 20394401
    expect(multiplyMoney(money(441_650_591, 'EUR'), 20_394_401).amount).toBe(MAX);
    expect(() => multiplyMoney(money(441_650_592, 'EUR'), 20_394_401)).toThrow(MoneyRangeError);
    expect(multiplyMoney(money(-441_650_591, 'EUR'), 20_394_401).amount).toBe(-MAX);
    expect(() => multiplyMoney(money(MAX, 'EUR'), 2)).toThrow('beyond the safe-integer range');
  });

  it('refuses a quantity that is not an integer', () => {
    expect(() => multiplyMoney(money(100, 'EUR'), 1.5)).toThrow(MoneyRangeError);
  });
});

describe('sumMoney', () => {
  it('sums a list in its currency, an empty one to zero', () => {
    expect(sumMoney([money(100, 'EUR'), money(200, 'EUR')], 'EUR')).toEqual(money(300, 'EUR'));
    expect(sumMoney([], 'EUR')).toEqual(money(0, 'EUR'));
  });

  it('refuses an amount in another currency', () => {
    expect(() => sumMoney([money(100, 'USD')], 'EUR')).toThrow(CurrencyMismatchError);
  });

  it('refuses a sum past Number.MAX_SAFE_INTEGER', () => {
    const half = Math.ceil(MAX / 2);
    expect(() => sumMoney([money(half, 'EUR'), money(half, 'EUR')], 'EUR')).toThrow(
      MoneyRangeError,
    );
    expect(sumMoney([money(half, 'EUR'), money(MAX - half, 'EUR')], 'EUR').amount).toBe(MAX);
  });
});
