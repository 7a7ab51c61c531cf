import { describe, expect, it } from 'vitest';
import { decimalAmount, formatMoney, minorDigits, parseMajorAmount } from './money.js';

describe('formatMoney', () => {
  it('formats euros from cents per locale', () => {
    expect(formatMoney({ amount: 123456, currency: 'EUR' }, 'en-GB')).toBe('€1,234.56');
    expect(formatMoney({ amount: 123456, currency: 'EUR' }, 'de-DE')).toBe('1.234,56\u00a0€');
    expect(formatMoney({ amount: 5, currency: 'EUR' }, 'en-GB')).toBe('€0.05');
    expect(formatMoney({ amount: 0, currency: 'EUR' }, 'de-DE')).toBe('0,00\u00a0€');
  });

  it('uses the currency own number of minor digits (yen none, dinar three)', () => {
    expect(minorDigits('JPY')).toBe(0);
    expect(formatMoney({ amount: 1500, currency: 'JPY' }, 'en-GB')).toBe('JP¥1,500');
    expect(formatMoney({ amount: 1500, currency: 'KWD' }, 'en-GB')).toBe('KWD\u00a01.500');
  });

  it('is exact for the largest amounts the platform carries, where float division is not', () => {
    const amount = 2 ** 53 - 1; // 90,071,992,547,409.91 in cents
    expect(formatMoney({ amount, currency: 'EUR' }, 'en-GB')).toBe('€90,071,992,547,409.91');
    expect(formatMoney({ amount: -1999, currency: 'EUR' }, 'en-GB')).toBe('-€19.99');
  });

  it('refuses an amount that is not a safe integer', () => {
    expect(() => formatMoney({ amount: 1.5, currency: 'EUR' }, 'en-GB')).toThrow(RangeError);
    expect(() => formatMoney({ amount: 2 ** 53, currency: 'EUR' }, 'en-GB')).toThrow(RangeError);
  });
});

describe('decimalAmount', () => {
  it('writes the plain decimal schema.org expects', () => {
    expect(decimalAmount({ amount: 1999, currency: 'EUR' })).toBe('19.99');
    expect(decimalAmount({ amount: 7, currency: 'EUR' })).toBe('0.07');
    expect(decimalAmount({ amount: 1500, currency: 'JPY' })).toBe('1500');
  });
});

describe('parseMajorAmount', () => {
  it('reads prices as shoppers type them into a filter', () => {
    expect(parseMajorAmount('12', 'EUR')).toBe(1200);
    expect(parseMajorAmount('12.5', 'EUR')).toBe(1250);
    expect(parseMajorAmount(' 12,50 ', 'EUR')).toBe(1250);
    expect(parseMajorAmount('0.07', 'EUR')).toBe(7);
  });

  it('ignores what is not a price rather than guessing', () => {
    for (const text of ['', 'abc', '-5', '1e5', '12.345', '1.2.3', '9999999999']) {
      expect(parseMajorAmount(text, 'EUR')).toBeUndefined();
    }
    expect(parseMajorAmount(null, 'EUR')).toBeUndefined();
  });
});
