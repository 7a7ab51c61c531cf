// shop_redirects_total from the metric catalog: every answer of /r/:code by outcome, and the
// clicks the pipeline could not keep; every outcome present at 0 from the start.
import { catalogCounter, type ServiceMetrics } from '@shop/shared';
import type { Counter } from 'prom-client';

export type RedirectOutcome =
  | 'redirected'
  | 'not_found'
  | 'expired'
  | 'disabled'
  | 'locked'
  | 'refused'
  | 'click_dropped';

export type RedirectCounter = (outcome: RedirectOutcome, by?: number) => void;

/** The counter of a function's registry, registered once (the app and the click recorder share it). */
export function createRedirectCounter(metrics: ServiceMetrics): RedirectCounter {
  const counter =
    (metrics.registry.getSingleMetric('shop_redirects_total') as Counter<'outcome'> | undefined) ??
    catalogCounter(metrics, 'redirects');
  return (outcome, by = 1) => counter.inc({ outcome }, by);
}
