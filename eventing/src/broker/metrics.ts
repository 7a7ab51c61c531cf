import type { ServiceMetrics } from '@shop/shared';
import { type MetricDefinition, metricCatalog } from '@shop/shared/telemetry/metric-catalog';
import { Counter } from 'prom-client';

/** Counters of the broker, on the same registry as its HTTP metrics (`/metrics`). */
export interface BrokerMetrics {
  /** Ingress answers by broker and status code. */
  ingress: Counter<'namespace' | 'broker' | 'http_response_status_code'>;
  /** What became of each record a Trigger consumed: delivered, filtered, dead_lettered. */
  dispatched: Counter<'namespace' | 'trigger' | 'outcome'>;
  /**
   * Events lost: no dead-letter sink after the last retry, the dead-letter sink failed too, or
   * a record that is not a CloudEvent. Each is also logged.
   */
  dropped: Counter<'namespace' | 'trigger' | 'reason'>;
}

type Labels<M extends MetricDefinition> = 'namespace' | M['labels'][number];

// The broker serves the brokers of several namespaces, so it sets the `namespace` target label
// itself (the scrape adds it for a function).
function counter<M extends MetricDefinition>(metric: M, metrics: ServiceMetrics) {
  return new Counter<Labels<M>>({
    name: metric.prometheusName,
    help: metric.help,
    labelNames: ['namespace', ...metric.labels] as Labels<M>[],
    registers: [metrics.registry],
  });
}

/**
 * The broker's counters, named and labelled as the metric catalog says.
 * @example const brokerMetrics = createBrokerMetrics(createMetrics({ service: 'broker' }));
 */
export function createBrokerMetrics(metrics: ServiceMetrics): BrokerMetrics {
  return {
    ingress: counter(metricCatalog.brokerIngressEvents, metrics),
    dispatched: counter(metricCatalog.brokerDispatchedEvents, metrics),
    dropped: counter(metricCatalog.brokerEventsDropped, metrics),
  };
}

/**
 * Starts every Trigger's dispatched and dropped series at 0, for each outcome and reason of the
 * catalog, so `increase()` (the dead-letter alerts) sees a Trigger's first dead letter.
 * @example startTriggerSeries(brokerMetrics, [{ namespace: 'shop', name: 'cart-on-payment-events' }]);
 */
export function startTriggerSeries(
  metrics: BrokerMetrics,
  triggers: readonly { namespace: string; name: string }[],
): void {
  for (const { namespace, name: trigger } of triggers) {
    for (const outcome of metricCatalog.brokerDispatchedEvents.labelValues.outcome) {
      metrics.dispatched.inc({ namespace, trigger, outcome }, 0);
    }
    for (const reason of metricCatalog.brokerEventsDropped.labelValues.reason) {
      metrics.dropped.inc({ namespace, trigger, reason }, 0);
    }
  }
}
