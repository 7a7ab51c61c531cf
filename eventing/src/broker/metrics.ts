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
