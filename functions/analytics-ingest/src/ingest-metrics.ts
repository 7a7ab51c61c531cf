// shop_analytics_events_ingested_total from the metric catalog: every event of a request by
// call type and what became of it, every series at 0 from the start.
import { catalogCounter, type ServiceMetrics } from '@shop/shared';
import type { Counter } from 'prom-client';
import type { CallType } from './domain/segment-call.js';

export type IngestOutcome =
  | 'accepted'
  | 'overflow'
  | 'historical'
  | 'deduped'
  | 'rejected'
  | 'unavailable';

export type IngestCounter = (type: CallType, outcome: IngestOutcome, by?: number) => void;

/** The counter of a function's registry, registered once. */
export function createIngestCounter(metrics: ServiceMetrics): IngestCounter {
  const counter =
    (metrics.registry.getSingleMetric('shop_analytics_events_ingested_total') as
      | Counter<'analytics_event_type' | 'outcome'>
      | undefined) ?? catalogCounter(metrics, 'analyticsEventsIngested');
  return (type, outcome, by = 1) => {
    if (by > 0) counter.inc({ analytics_event_type: type, outcome }, by);
  };
}
