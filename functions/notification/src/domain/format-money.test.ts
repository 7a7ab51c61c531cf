import { describe, expect, it } from 'vitest';
import { formatMoney } from './format-money.js';

describe('formatMoney', () => {
  it('writes integer minor units the way each locale writes money', () => {
    expect(formatMoney({ amount: 123456, currency: 'EUR' }, 'de-DE')).toBe('1.234,56\u00a0€');
    expect(formatMoney({ amount: 123456, currency: 'EUR' }, 'en')).toBe('€1,234.56');
    expect(formatMoney({ amount: 5, currency: 'USD' }, 'en-US')).toBe('$0.05');
    expect(formatMoney({ amount: 1500, currency: 'JPY' }, 'en')).toBe('¥1,500');
    expect(formatMoney({ amount: 1234, currency: 'KWD' }, 'en')).toBe('KWD\u00a01.234');
  });

  it('keeps every cent of amounts past what a double holds exactly as a decimal', () => {
    expect(formatMoney({ amount: 900_719_925_474_099, currency: 'EUR' }, 'en')).toBe(
      '€9,007,199,254,740.99',
    );
  });
});
