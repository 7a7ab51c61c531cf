import { describe, expect, it } from 'vitest';
import {
  FORBIDDEN_LABELS,
  LATENCY_SLO_THRESHOLD_SECONDS,
  LOKI_LABELS,
  METRIC_LABELS,
  type MetricDefinition,
  metricCatalog,
  prometheusNameOf,
  SERIES_BUDGET_PER_PROCESS,
  TARGET_LABELS,
} from './metric-catalog.js';

const metrics: [string, MetricDefinition][] = Object.entries(metricCatalog);
const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

describe('the metric catalog', () => {
  it.each(metrics)('%s has a snake_case Prometheus name with its unit and type suffix', (_, m) => {
    expect(m.prometheusName).toMatch(SNAKE_CASE);
    expect(m.prometheusName).toBe(prometheusNameOf(m.otelName, m.unit, m.type));
    if (m.type === 'counter') expect(m.prometheusName).toMatch(/_total$/);
    else expect(m.prometheusName).not.toMatch(/_total$/);
    if (m.unit === 's') expect(m.prometheusName).toMatch(/_seconds(_total)?$/);
    if (m.unit === 'By') expect(m.prometheusName).toMatch(/_bytes(_total)?$/);
    // Suffixes Prometheus reserves for a histogram's own series.
    expect(m.prometheusName).not.toMatch(/_(bucket|count|sum|created|info)$/);
  });

  it.each(metrics)('%s uses only budgeted labels with bounded values', (_, m) => {
    expect(new Set(m.labels).size).toBe(m.labels.length);
    for (const label of m.labels) {
      expect(label).toMatch(SNAKE_CASE);
      expect(Object.keys(METRIC_LABELS)).toContain(label);
      expect(FORBIDDEN_LABELS as readonly string[]).not.toContain(label);
      expect(Object.keys(TARGET_LABELS)).not.toContain(label);
    }
    for (const [label, values] of Object.entries(m.labelValues ?? {})) {
      expect(m.labels as readonly string[]).toContain(label);
      const budget = METRIC_LABELS[label as keyof typeof METRIC_LABELS];
      expect(values.length).toBeLessThanOrEqual(budget.maxValues);
      for (const value of values) expect(value).toMatch(/^[a-z_]+$/);
    }
    expect(Number.isInteger(m.maxSeries) && m.maxSeries > 0).toBe(true);
  });

  it.each(metrics)('%s has a help text, an OpenTelemetry name and a known unit', (_, m) => {
    expect(m.help.length).toBeGreaterThan(10);
    expect(m.otelName).toMatch(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/);
    expect(m.unit).toMatch(/^(s|ms|By|1|\{[a-z_]+\})$/);
    expect(m.buckets !== undefined).toBe(m.type === 'histogram');
  });

  it('keeps names unique, in OpenTelemetry and in Prometheus', () => {
    const names = metrics.map(([, m]) => m.prometheusName);
    expect(new Set(names).size).toBe(names.length);
    const otel = metrics.map(([, m]) => m.otelName);
    expect(new Set(otel).size).toBe(otel.length);
  });

  it('names HTTP server duration as the semantic conventions do, with route templates', () => {
    const http = metricCatalog.httpServerRequestDuration;
    expect(http).toMatchObject({
      otelName: 'http.server.request.duration',
      unit: 's',
      prometheusName: 'http_server_request_duration_seconds',
      type: 'histogram',
    });
    expect(http.labels).toEqual(['http_request_method', 'http_route', 'http_response_status_code']);
    expect(http.buckets).toContain(LATENCY_SLO_THRESHOLD_SECONDS);
    expect([...http.buckets].sort((a, b) => a - b)).toEqual([...http.buckets]);
  });

  it('fits every function into the per-process series budget', () => {
    const total = metrics.reduce((sum, [, m]) => sum + m.maxSeries, 0);
    expect(total).toBeLessThanOrEqual(SERIES_BUDGET_PER_PROCESS);
  });

  it('sizes each closed label to its values', () => {
    for (const budget of Object.values({ ...METRIC_LABELS, ...LOKI_LABELS })) {
      if ('values' in budget) expect(budget.values.length).toBe(budget.maxValues);
      expect(budget.maxValues).toBeGreaterThan(0);
    }
  });

  it('indexes logs by service, namespace, level and environment only', () => {
    expect(Object.keys(LOKI_LABELS)).toEqual(['service', 'namespace', 'level', 'environment']);
  });
});

describe('prometheusNameOf', () => {
  it('follows OpenTelemetry’s Prometheus exporter', () => {
    expect(prometheusNameOf('http.server.request.duration', 's', 'histogram')).toBe(
      'http_server_request_duration_seconds',
    );
    expect(prometheusNameOf('outbox.events.published', '{event}', 'counter')).toBe(
      'outbox_events_published_total',
    );
    expect(prometheusNameOf('outbox.oldest_pending', 's', 'gauge')).toBe(
      'outbox_oldest_pending_seconds',
    );
    expect(prometheusNameOf('process.cpu.utilization', '1', 'gauge')).toBe(
      'process_cpu_utilization_ratio',
    );
  });
});
