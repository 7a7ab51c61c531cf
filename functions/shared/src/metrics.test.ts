import { describe, expect, it } from 'vitest';
import { catalogCounter, createMetrics } from './metrics.js';

describe('catalogCounter', () => {
  it('names the counter from the catalog and starts every closed-set series at 0', async () => {
    const metrics = createMetrics({ service: 'conversion-webhook' });
    const payments = catalogCounter(metrics, 'payments');
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE shop_payments_total counter');
    for (const provider of ['stripe', 'standard']) {
      for (const outcome of ['succeeded', 'failed', 'refunded']) {
        expect(text).toContain(
          `shop_payments_total{provider="${provider}",outcome="${outcome}",service="conversion-webhook"} 0`,
        );
      }
    }
    payments.inc({ provider: 'stripe', outcome: 'succeeded' });
    expect(await metrics.registry.metrics()).toContain(
      'shop_payments_total{provider="stripe",outcome="succeeded",service="conversion-webhook"} 1',
    );
  });

  it('takes the values of an open label from the caller, and starts none without them', async () => {
    const metrics = createMetrics({ service: 'cart' });
    catalogCounter(metrics, 'revenue', { currency: ['EUR', 'CHF'] });
    catalogCounter(metrics, 'refunds');
    const text = await metrics.registry.metrics();
    expect(text).toContain('shop_revenue_minor_units_total{currency="EUR",service="cart"} 0');
    expect(text).toContain('shop_revenue_minor_units_total{currency="CHF",service="cart"} 0');
    expect(text).toContain('# TYPE shop_refunds_minor_units_total counter');
    expect(text).not.toMatch(/^shop_refunds_minor_units_total\{/m);
  });
});
