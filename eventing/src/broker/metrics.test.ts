import { createMetrics } from '@shop/shared';
import { metricCatalog } from '@shop/shared/telemetry/metric-catalog';
import { describe, expect, it } from 'vitest';
import { createBrokerMetrics, startTriggerSeries } from './metrics.js';

describe('broker metrics', () => {
  it('are named, described and labelled as the metric catalog says', async () => {
    const metrics = createMetrics({ service: 'broker' });
    createBrokerMetrics(metrics);
    const text = await metrics.registry.metrics();
    for (const metric of [
      metricCatalog.brokerIngressEvents,
      metricCatalog.brokerDispatchedEvents,
      metricCatalog.brokerEventsDropped,
    ]) {
      expect(text).toContain(`# HELP ${metric.prometheusName} ${metric.help}`);
      expect(text).toContain(`# TYPE ${metric.prometheusName} counter`);
    }
  });

  it('start every Trigger’s outcomes and drop reasons at 0, so increase() sees the first dead letter', async () => {
    const metrics = createMetrics({ service: 'broker' });
    const broker = createBrokerMetrics(metrics);
    startTriggerSeries(broker, [{ namespace: 'shop', name: 'cart-on-payment-events' }]);
    const text = await metrics.registry.metrics();
    for (const outcome of ['delivered', 'filtered', 'dead_lettered']) {
      expect(text).toContain(
        `broker_dispatched_events_total{namespace="shop",trigger="cart-on-payment-events",outcome="${outcome}",service="broker"} 0`,
      );
    }
    for (const reason of ['no_dead_letter_sink', 'dead_letter_failed', 'invalid_record']) {
      expect(text).toContain(
        `broker_events_dropped_total{namespace="shop",trigger="cart-on-payment-events",reason="${reason}",service="broker"} 0`,
      );
    }
  });
});
