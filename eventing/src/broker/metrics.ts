import type { ServiceMetrics } from '@shop/shared';
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

export function createBrokerMetrics(metrics: ServiceMetrics): BrokerMetrics {
  const registers = [metrics.registry];
  return {
    ingress: new Counter({
      name: 'broker_ingress_events_total',
      help: 'Events posted to a broker ingress, by broker and answer',
      labelNames: ['namespace', 'broker', 'http_response_status_code'] as const,
      registers,
    }),
    dispatched: new Counter({
      name: 'broker_dispatched_events_total',
      help: 'Records a Trigger consumed, by outcome (delivered, filtered, dead_lettered)',
      labelNames: ['namespace', 'trigger', 'outcome'] as const,
      registers,
    }),
    dropped: new Counter({
      name: 'broker_events_dropped_total',
      help: 'Events dropped after the last retry: no dead-letter sink, dead-letter sink failed, or not a CloudEvent',
      labelNames: ['namespace', 'trigger', 'reason'] as const,
      registers,
    }),
  };
}
