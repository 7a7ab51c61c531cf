import { describe, expect, it } from 'vitest';
import { buildPriceChangedEvent } from './build-price-changed-event.js';
import { checkPriceChange } from './check-price-change.js';

describe('checkPriceChange', () => {
  const eur = (amount: number) => ({ amount, currency: 'EUR' });

  it('sees a first price and a new amount as changes', () => {
    expect(checkPriceChange(null, eur(999), 'EUR')).toEqual({
      kind: 'changed',
      previous: null,
      next: eur(999),
    });
    expect(checkPriceChange(eur(1299), eur(999), 'EUR')).toEqual({
      kind: 'changed',
      previous: eur(1299),
      next: eur(999),
    });
  });

  it('sees the same price as no change', () => {
    expect(checkPriceChange(eur(999), eur(999), 'EUR')).toEqual({ kind: 'unchanged' });
  });

  it('refuses a currency the catalog does not sell in', () => {
    expect(checkPriceChange(eur(999), { amount: 999, currency: 'USD' }, 'EUR')).toEqual({
      kind: 'wrong-currency',
      catalogCurrency: 'EUR',
    });
  });
});

describe('buildPriceChangedEvent', () => {
  it('keys the event by product and carries both prices and the actor', () => {
    const event = buildPriceChangedEvent({
      productId: 'p1',
      slug: 'kettle',
      previousPrice: { amount: 1299, currency: 'EUR' },
      price: { amount: 999, currency: 'EUR' },
      changedBy: 'staff-7',
      changedAt: new Date('2025-05-01T10:00:00Z'),
    });
    expect(event).toEqual({
      type: 'shop.offer.price_changed',
      subject: 'p1',
      partitionKey: 'p1',
      data: {
        productId: 'p1',
        slug: 'kettle',
        previousPrice: { amount: 1299, currency: 'EUR' },
        price: { amount: 999, currency: 'EUR' },
        changedBy: 'staff-7',
        changedAt: '2025-05-01T10:00:00.000Z',
      },
    });
  });
});
