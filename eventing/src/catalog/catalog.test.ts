import { parseEventData } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { createSchemaApp, eventCatalog, jsonSchemaFor } from './index.js';

const FUNCTIONS = [
  'api-gateway',
  'auth',
  'user',
  'offer',
  'cart',
  'redirect',
  'feature-flag',
  'analytics-ingest',
  'conversion-webhook',
  'attribution',
  'notification',
  'audit',
  'reporting',
  // The storefront site is a Knative Service too: it consumes the catalog's events (its cache).
  'storefront',
];
const definitions = Object.values(eventCatalog);

describe('eventCatalog', () => {
  it('names every type shop.<entity>.<past_tense_verb> and only real functions as producers and consumers', () => {
    for (const d of definitions) {
      expect(d.type).toMatch(/^shop\.[a-z_]+\.[a-z_]+$/);
      expect(FUNCTIONS, d.type).toContain(d.producer);
      for (const consumer of d.consumers) expect(FUNCTIONS, d.type).toContain(consumer);
      // The one exception: redirect's instances invalidate their caches by its own event.
      if (d.type !== 'shop.link.changed') {
        expect(d.consumers, `${d.type} consumes its own event`).not.toContain(d.producer);
      }
    }
  });

  it('covers the events of the main stories', () => {
    expect(Object.keys(eventCatalog)).toEqual(
      expect.arrayContaining([
        'shop.offer.created',
        'shop.offer.price_changed',
        'shop.offer.archived',
        'shop.offer.changed',
        'shop.offer.stock_adjusted',
        'shop.auth.key_rotated',
        'shop.analytics_source.created',
        'shop.analytics_source.revoked',
        'shop.user.registered',
        'shop.user.logged_in',
        'shop.user.erased',
        'shop.auth.refresh_reuse_detected',
        'shop.order.created',
        'shop.order.paid',
        'shop.payment.succeeded',
        'shop.payment.failed',
        'shop.payment.refunded',
        'shop.link.created',
        'shop.link.changed',
        'shop.link.clicked',
        'shop.conversion.attributed',
        'shop.flag.changed',
        'shop.notification.sent',
      ]),
    );
  });

  it('keeps the price change exactly as functions/offer writes it', () => {
    const written = {
      productId: '0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b',
      slug: 'brass-desk-lamp',
      previousPrice: null,
      price: { amount: 4999, currency: 'EUR' },
      changedBy: null,
      changedAt: new Date('2025-11-25T10:00:00Z').toISOString(),
    };
    expect(parseEventData(eventCatalog, 'shop.offer.price_changed', written)).toEqual(written);
    const changed = {
      ...written,
      previousPrice: { amount: 5999, currency: 'EUR' },
      changedBy: 'u1',
    };
    expect(parseEventData(eventCatalog, 'shop.offer.price_changed', changed)).toEqual(changed);
    expect(Object.keys(eventCatalog['shop.offer.price_changed'].schema.shape).sort()).toEqual(
      ['changedAt', 'changedBy', 'previousPrice', 'price', 'productId', 'slug'].sort(),
    );
    expect(() =>
      parseEventData(eventCatalog, 'shop.offer.price_changed', { ...written, stock: 3 }),
    ).toThrow(/Unrecognized key/);
  });

  it('refuses money that is not integer minor units with an ISO currency', () => {
    const payment = {
      paymentId: '0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b',
      orderId: '0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6c',
      provider: 'stripe',
      providerPaymentId: 'pi_123',
      amount: { amount: 4999, currency: 'EUR' },
      succeededAt: '2025-11-25T10:00:00+01:00',
    };
    expect(() => parseEventData(eventCatalog, 'shop.payment.succeeded', payment)).not.toThrow();
    for (const amount of [
      { amount: 49.99, currency: 'EUR' },
      { amount: -1, currency: 'EUR' },
      { amount: 4999, currency: 'eur' },
      { amount: 4999 },
      // Beyond MAX_AMOUNT (10^12): a consumer's sums would leave the safe integers.
      { amount: 1_000_000_000_001, currency: 'EUR' },
      { amount: Number.MAX_SAFE_INTEGER, currency: 'EUR' },
    ]) {
      expect(() =>
        parseEventData(eventCatalog, 'shop.payment.succeeded', { ...payment, amount }),
      ).toThrow(/data\.amount/);
    }
    expect(() =>
      parseEventData(eventCatalog, 'shop.payment.succeeded', {
        ...payment,
        succeededAt: '2025-11-25 10:00',
      }),
    ).toThrow(/data\.succeededAt/);
    // Instants PostgreSQL cannot hold, and text it cannot store.
    for (const change of [
      { succeededAt: '0000-01-01T00:00:00Z' },
      { succeededAt: '0001-01-01T00:30:00+01:00' },
      { providerPaymentId: 'pi_\u0000' },
      { providerPaymentId: 'pi_\ud800' },
    ]) {
      expect(
        () => parseEventData(eventCatalog, 'shop.payment.succeeded', { ...payment, ...change }),
        JSON.stringify(change),
      ).toThrow(/data\./);
    }
  });

  it('gives every type a strict JSON Schema whose $id is its dataschema URI', () => {
    for (const d of definitions) {
      const schema = jsonSchemaFor(d.type);
      expect(schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `https://schemas.shop.example/events/${d.type}/v1.json`,
        type: 'object',
        additionalProperties: false,
      });
      expect(schema.required).toContain(d.partitionKey);
    }
    expect(() => jsonSchemaFor('shop.nothing.happened')).toThrow(/not in the event catalog/);
  });

  it('serves each schema at the path of its dataschema URI', async () => {
    const app = createSchemaApp(eventCatalog);
    const res = await app.request('/events/shop.offer.price_changed/v1.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/schema+json');
    expect(await res.json()).toEqual(jsonSchemaFor('shop.offer.price_changed'));
    expect((await app.request('/events/shop.offer.price_changed/v2.json')).status).toBe(404);
    const index = await (await app.request('/events')).json();
    expect(index).toHaveLength(definitions.length);
  });
});
