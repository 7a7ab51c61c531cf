// shop_redirects_total from the metric catalog: every answer of /r/:code by outcome, and the
// clicks the pipeline could not keep.
import { Counter, type Registry } from 'prom-client';

export type RedirectOutcome =
  | 'redirected'
  | 'not_found'
  | 'expired'
  | 'disabled'
  | 'locked'
  | 'refused'
  | 'click_dropped';

export type RedirectCounter = (outcome: RedirectOutcome, by?: number) => void;

/** Registers the counter once per registry (several apps can share a process in dev). */
export function createRedirectCounter(registry: Registry): RedirectCounter {
  const existing = registry.getSingleMetric('shop_redirects_total') as
    | Counter<'outcome'>
    | undefined;
  const counter =
    existing ??
    new Counter({
      name: 'shop_redirects_total',
      help: 'Affiliate link requests, by outcome (redirected, not_found, expired, disabled, locked, refused); click_dropped counts clicks of redirected requests the click pipeline could not keep (buffer full or Kafka refused)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
  return (outcome, by = 1) => counter.inc({ outcome }, by);
}
