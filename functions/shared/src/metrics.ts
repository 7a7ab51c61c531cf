import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { METRIC_LABELS, type MetricDefinition, metricCatalog } from './telemetry/metric-catalog.js';

const HTTP_DURATION = metricCatalog.httpServerRequestDuration;

/** The labels of the HTTP server histogram (OpenTelemetry semantic conventions, Prometheus names). */
export type HttpServerLabels = (typeof HTTP_DURATION.labels)[number];

/** Prometheus metrics of one function: HTTP RED metrics plus whatever the function adds. */
export interface ServiceMetrics {
  registry: Registry;
  /**
   * `http_server_request_duration_seconds` (OpenTelemetry `http.server.request.duration`) by
   * method, route template and status code; its `_count` is the request rate and errors.
   */
  httpDuration: Histogram<HttpServerLabels>;
}

/**
 * A registry of its own per app, so several functions can share a process in `npm run dev`.
 * Names, labels and buckets come from the metric catalog the dashboards and alerts are made of.
 * @example const metrics = createMetrics({ service: 'offer', defaultMetrics: true });
 */
export function createMetrics(options: {
  service: string;
  defaultMetrics?: boolean;
}): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: HTTP_DURATION.prometheusName,
    help: HTTP_DURATION.help,
    labelNames: HTTP_DURATION.labels,
    buckets: [...HTTP_DURATION.buckets],
    registers: [registry],
  });
  return { registry, httpDuration };
}

type Catalog = typeof metricCatalog;

/** A key of the metric catalog whose metric is a counter (`'revenue'`). */
export type CounterKey = {
  [K in keyof Catalog]: Catalog[K]['type'] extends 'counter' ? K : never;
}[keyof Catalog];

/** The labels of a catalog metric (`'currency'` for `revenue`). */
export type CatalogLabel<K extends keyof Catalog> = Catalog[K]['labels'][number];

/** The values each label of a metric may take: its closed set in the catalog, else the given ones. */
function labelValues(
  metric: MetricDefinition,
  given: Partial<Record<string, readonly string[]>>,
): Record<string, readonly string[]> | undefined {
  const values: Record<string, readonly string[]> = {};
  for (const label of metric.labels) {
    const known =
      given[label] ??
      metric.labelValues?.[label] ??
      (METRIC_LABELS[label] as { values?: readonly string[] }).values;
    if (!known) return undefined;
    values[label] = known;
  }
  return values;
}

/** Every combination of the labels' values (one empty set for a metric without labels). */
function combinations(values: Record<string, readonly string[]>): Record<string, string>[] {
  let sets: Record<string, string>[] = [{}];
  for (const [label, options] of Object.entries(values)) {
    sets = sets.flatMap((set) => options.map((value) => ({ ...set, [label]: value })));
  }
  return sets;
}

/**
 * A counter of the metric catalog on a function's registry (name, help and labels from the
 * catalog), every series it can have present at 0 from the start, so `rate()` and `increase()`
 * see the first event: the label values are the catalog's closed sets, and `values` for a label
 * without one (a function's currencies). A label with neither starts no series.
 * @example const revenue = catalogCounter(metrics, 'revenue', { currency: ['EUR'] }); revenue.inc({ currency: 'EUR' }, 4990);
 */
export function catalogCounter<K extends CounterKey>(
  metrics: ServiceMetrics,
  key: K,
  values: Partial<Record<CatalogLabel<K>, readonly string[]>> = {},
): Counter<CatalogLabel<K>> {
  const metric: MetricDefinition = metricCatalog[key];
  const counter = new Counter<CatalogLabel<K>>({
    name: metric.prometheusName,
    help: metric.help,
    labelNames: metric.labels as readonly CatalogLabel<K>[],
    registers: [metrics.registry],
  });
  const known = labelValues(metric, values);
  if (known) {
    for (const labels of combinations(known)) counter.inc(labels as never, 0);
  }
  return counter;
}
