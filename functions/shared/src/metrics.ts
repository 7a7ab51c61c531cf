import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { metricCatalog } from './telemetry/metric-catalog.js';

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
