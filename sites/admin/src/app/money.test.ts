import { describe, expect, it } from 'vitest';
import { decimalOf, formatMoney, parseMoney } from './money.js';

describe('money', () => {
  it('formats minor units per locale without a float', () => {
    expect(formatMoney(1299, 'EUR', 'en-GB')).toBe('€12.99');
    expect(formatMoney(1299, 'EUR', 'de-DE')).toBe('12,99\u00a0€');
    expect(formatMoney(100_000_000, 'EUR', 'de-DE')).toBe('1.000.000,00\u00a0€');
    expect(formatMoney(5, 'EUR', 'en-GB')).toBe('€0.05');
    expect(formatMoney(500, 'JPY', 'en-GB')).toBe('JP¥500');
    expect(decimalOf(-1205, 'EUR')).toBe('-12.05');
  });

  it('reads typed prices in either notation into minor units', () => {
    expect(parseMoney('12.99', 'EUR')).toBe(1299);
    expect(parseMoney('12,99', 'EUR')).toBe(1299);
    expect(parseMoney(' 12 ', 'EUR')).toBe(1200);
    expect(parseMoney('12.5', 'EUR')).toBe(1250);
    expect(parseMoney('1.299,00', 'EUR')).toBe(129_900);
    expect(parseMoney('1,299.00', 'EUR')).toBe(129_900);
    expect(parseMoney('0,05', 'EUR')).toBe(5);
    // Three digits after the last mark are a group of thousands, as in German notation.
    expect(parseMoney('1.299', 'EUR')).toBe(129_900);
    expect(parseMoney('500', 'JPY')).toBe(500);
  });

  it('refuses what is not a price', () => {
    for (const text of ['', 'abc', '-1', '12.9999', '1e3', '12,,5', '1.2.3', '12.', '١٢']) {
      expect(parseMoney(text, 'EUR'), text).toBeNull();
    }
  });
});
