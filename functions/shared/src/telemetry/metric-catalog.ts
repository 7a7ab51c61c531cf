// The one list of every metric the platform exposes and every label it may carry. Dashboards,
// alerts and their tests are generated from it (`npm run observability`), the kit's metrics
// take their names from it, and the telemetry contract test checks a story's `/metrics` against
// it. A metric that is not here does not exist for operations: add it here first.
//
// Names follow the OpenTelemetry semantic conventions where one exists; `prometheusName` is the
// name OpenTelemetry's Prometheus exporter gives it (dots to underscores, the unit as a suffix,
// `_total` on counters), so either exporter serves the same series.

/** How a metric aggregates, as Prometheus exposes it. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One label a metric may carry, with the most distinct values it may take. */
export interface LabelDefinition {
  readonly description: string;
  /** Distinct values one process may expose; the telemetry contract test holds a story to it. */
  readonly maxValues: number;
  /** The closed set of values, where there is one (then `maxValues` is its size). */
  readonly values?: readonly string[];
}

/**
 * Labels on every series: `service` is the function's name (the kit's default label, from
 * `K_SERVICE`), `namespace` is added by the scrape (the local broker sets its brokers' one).
 */
export const TARGET_LABELS = {
  service: {
    description: 'The function (Knative Service) that exposes the series',
    maxValues: 30,
  },
  namespace: { description: 'Kubernetes namespace of the process', maxValues: 3 },
} as const satisfies Record<string, LabelDefinition>;

/**
 * Every label a metric may carry besides the target labels. A label not listed here is a
 * cardinality risk until someone has thought about its values: add it here with its bound.
 * @example METRIC_LABELS.http_route.maxValues // 40
 */
export const METRIC_LABELS = {
  http_request_method: {
    description: 'HTTP method; unknown methods are `_OTHER` (semantic conventions)',
    maxValues: 8,
    values: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', '_OTHER'],
  },
  http_route: {
    description:
      'The matched route template (`/api/offers/:id`), never the raw path; unmatched requests have none',
    maxValues: 40,
  },
  http_response_status_code: {
    description: 'HTTP status code answered',
    maxValues: 20,
  },
  cloudevents_event_type: {
    description: 'CloudEvents `type` from the event catalog (`shop.payment.succeeded`)',
    maxValues: 60,
  },
  error_type: {
    description:
      'Why an event handler failed (`rejected`, `failed`, `timeout`); absent when it succeeded',
    maxValues: 5,
    values: ['rejected', 'failed', 'timeout', 'in_progress', '_OTHER'],
  },
  outcome: {
    description: 'What became of the operation; each metric lists its own closed set of values',
    maxValues: 10,
  },
  reason: {
    description: 'Why an outbox event was not published or a broker dropped an event',
    maxValues: 6,
  },
  broker: { description: 'Knative Broker name (`default`, `dead-letter`)', maxValues: 5 },
  trigger: { description: 'Knative Trigger name', maxValues: 40 },
  messaging_consumer_group_name: {
    description: 'Kafka consumer group (one per Trigger in the Kafka broker)',
    maxValues: 40,
  },
  messaging_destination_name: { description: 'Kafka topic', maxValues: 20 },
  provider: {
    description: 'Payment provider whose webhook or payment it is',
    maxValues: 2,
    values: ['stripe', 'standard'],
  },
  currency: {
    description: 'ISO 4217 currency of an amount; only currencies the shop sells in',
    maxValues: 10,
  },
  analytics_event_type: {
    description: 'Segment Tracking API call type',
    maxValues: 6,
    values: ['track', 'page', 'identify', 'screen', 'group', 'alias'],
  },
} as const satisfies Record<string, LabelDefinition>;

/** A label name the catalog allows on a metric. */
export type MetricLabel = keyof typeof METRIC_LABELS;

/**
 * Never a label (unbounded values, or personal data): they belong in logs and spans, where
 * they are structured fields and attributes. The catalog test refuses a metric that uses one.
 */
export const FORBIDDEN_LABELS = [
  'path',
  'url',
  'url_path',
  'http_target',
  'user_id',
  'customer_id',
  'email',
  'session_id',
  'order_id',
  'cart_id',
  'payment_id',
  'product_id',
  'event_id',
  'link_code',
  'request_id',
  'trace_id',
  'span_id',
  'client_address',
  'ip',
] as const;

/**
 * Who exposes a metric: every function (the kit), the functions that publish events (those with
 * an outbox) or consume them (the event catalog's producers and consumers), the broker, or named
 * functions.
 */
export type MetricEmitters =
  | 'every-function'
  | 'event-producers'
  | 'event-consumers'
  | 'broker'
  | { readonly functions: readonly string[] };

/** One metric of the platform. */
export interface MetricDefinition {
  /** OpenTelemetry instrument name (semantic-convention name where one exists). */
  readonly otelName: string;
  /** The name on `/metrics` (for a histogram, the family: `_bucket`, `_sum`, `_count`). */
  readonly prometheusName: string;
  readonly type: MetricType;
  /** UCUM unit (`s`, `By`, `1`) or a `{annotation}` for counts. */
  readonly unit: string;
  readonly help: string;
  readonly labels: readonly MetricLabel[];
  /** Closed value sets of this metric's `outcome`/`reason` labels and the like. */
  readonly labelValues?: Partial<Record<MetricLabel, readonly string[]>>;
  readonly emittedBy: MetricEmitters;
  /** Series one process may expose for this metric, buckets included. */
  readonly maxSeries: number;
  /** Histogram bucket upper bounds in the metric's unit (`+Inf` implied). */
  readonly buckets?: readonly number[];
  /** Which dashboard shows it. */
  readonly area: 'http' | 'eventing' | 'kafka' | 'business';
}

/**
 * The gateway latency SLO counts requests slower than this (seconds); it must be a bucket
 * boundary of `http.server.request.duration`.
 */
export const LATENCY_SLO_THRESHOLD_SECONDS = 0.3;

// Semantic-convention buckets for HTTP durations, plus the latency SLO's 300 ms boundary.
const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.3, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
] as const;
const PROCESS_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/**
 * Every metric of the platform, by a stable key the generator and the kit refer to.
 * @example metricCatalog.httpServerRequestDuration.prometheusName // 'http_server_request_duration_seconds'
 */
export const metricCatalog = {
  httpServerRequestDuration: {
    otelName: 'http.server.request.duration',
    prometheusName: 'http_server_request_duration_seconds',
    type: 'histogram',
    unit: 's',
    help: 'Duration of HTTP server requests, by method, route template and status code',
    labels: ['http_request_method', 'http_route', 'http_response_status_code'],
    emittedBy: 'every-function',
    maxSeries: 2000,
    buckets: HTTP_DURATION_BUCKETS,
    area: 'http',
  },
  outboxPendingEvents: {
    otelName: 'outbox.pending_events',
    prometheusName: 'outbox_pending_events',
    type: 'gauge',
    unit: '{event}',
    help: 'Outbox events not yet published and not parked (the backlog)',
    labels: [],
    emittedBy: 'event-producers',
    maxSeries: 1,
    area: 'eventing',
  },
  outboxOldestPending: {
    otelName: 'outbox.oldest_pending',
    prometheusName: 'outbox_oldest_pending_seconds',
    type: 'gauge',
    unit: 's',
    help: 'Age of the oldest outbox event not yet published (parked ones aside)',
    labels: [],
    emittedBy: 'event-producers',
    maxSeries: 1,
    area: 'eventing',
  },
  outboxParkedEvents: {
    otelName: 'outbox.parked_events',
    prometheusName: 'outbox_parked_events',
    type: 'gauge',
    unit: '{event}',
    help: 'Outbox events parked: refused by the broker or out of attempts, waiting for staff',
    labels: [],
    emittedBy: 'event-producers',
    maxSeries: 1,
    area: 'eventing',
  },
  outboxEventsPublished: {
    otelName: 'outbox.events.published',
    prometheusName: 'outbox_events_published_total',
    type: 'counter',
    unit: '{event}',
    help: 'Outbox events the relay published to the broker',
    labels: [],
    emittedBy: 'event-producers',
    maxSeries: 1,
    area: 'eventing',
  },
  outboxPublishFailures: {
    otelName: 'outbox.publish.failures',
    prometheusName: 'outbox_publish_failures_total',
    type: 'counter',
    unit: '{failure}',
    help: 'Failed attempts to publish an outbox event, by reason (sink: retried; event: parked)',
    labels: ['reason'],
    labelValues: { reason: ['sink', 'event'] },
    emittedBy: 'event-producers',
    maxSeries: 2,
    area: 'eventing',
  },
  outboxEventsParked: {
    otelName: 'outbox.events.parked',
    prometheusName: 'outbox_events_parked_total',
    type: 'counter',
    unit: '{event}',
    help: 'Outbox events parked (no longer retried until staff retry them), by reason',
    labels: ['reason'],
    labelValues: { reason: ['refused', 'too_large', 'invalid', 'exhausted'] },
    emittedBy: 'event-producers',
    maxSeries: 4,
    area: 'eventing',
  },
  messagingProcessDuration: {
    otelName: 'messaging.process.duration',
    prometheusName: 'messaging_process_duration_seconds',
    type: 'histogram',
    unit: 's',
    help: 'Duration of handling one delivered CloudEvent, by type; failures carry error_type',
    labels: ['cloudevents_event_type', 'error_type'],
    emittedBy: 'event-consumers',
    maxSeries: 1200,
    buckets: PROCESS_DURATION_BUCKETS,
    area: 'eventing',
  },
  eventsReceived: {
    otelName: 'events.received',
    prometheusName: 'events_received_total',
    type: 'counter',
    unit: '{event}',
    help: 'CloudEvents delivered to this function, by type and how it answered',
    labels: ['cloudevents_event_type', 'outcome'],
    labelValues: { outcome: ['handled', 'duplicate', 'in_progress', 'rejected', 'failed'] },
    emittedBy: 'event-consumers',
    maxSeries: 300,
    area: 'eventing',
  },
  brokerIngressEvents: {
    otelName: 'broker.ingress.events',
    prometheusName: 'broker_ingress_events_total',
    type: 'counter',
    unit: '{event}',
    help: 'Events posted to a broker ingress, by broker and status code answered',
    labels: ['broker', 'http_response_status_code'],
    emittedBy: 'broker',
    maxSeries: 100,
    area: 'eventing',
  },
  brokerDispatchedEvents: {
    otelName: 'broker.dispatched.events',
    prometheusName: 'broker_dispatched_events_total',
    type: 'counter',
    unit: '{event}',
    help: 'Records a Trigger consumed, by outcome (delivered, filtered, dead_lettered)',
    labels: ['trigger', 'outcome'],
    labelValues: { outcome: ['delivered', 'filtered', 'dead_lettered'] },
    emittedBy: 'broker',
    maxSeries: 120,
    area: 'eventing',
  },
  brokerEventsDropped: {
    otelName: 'broker.events.dropped',
    prometheusName: 'broker_events_dropped_total',
    type: 'counter',
    unit: '{event}',
    help: 'Events lost after the last retry: no dead-letter sink, dead-letter sink failed, or a record that is not a CloudEvent',
    labels: ['trigger', 'reason'],
    labelValues: { reason: ['no_dead_letter_sink', 'dead_letter_failed', 'invalid_record'] },
    emittedBy: 'broker',
    maxSeries: 120,
    area: 'eventing',
  },
  kafkaConsumerLag: {
    otelName: 'messaging.kafka.consumer.lag',
    prometheusName: 'messaging_kafka_consumer_lag',
    type: 'gauge',
    unit: '{message}',
    help: 'Records on a topic a consumer group has not committed yet, summed over partitions',
    labels: ['messaging_consumer_group_name', 'messaging_destination_name'],
    emittedBy: 'broker',
    maxSeries: 200,
    area: 'kafka',
  },
  ordersCreated: {
    otelName: 'shop.orders.created',
    prometheusName: 'shop_orders_created_total',
    type: 'counter',
    unit: '{order}',
    help: 'Orders created at checkout, by currency',
    labels: ['currency'],
    emittedBy: { functions: ['cart'] },
    maxSeries: 10,
    area: 'business',
  },
  revenue: {
    otelName: 'shop.revenue.minor_units',
    prometheusName: 'shop_revenue_minor_units_total',
    type: 'counter',
    unit: '{minor_unit}',
    help: 'Amount of orders paid, in minor units (cents) of their currency',
    labels: ['currency'],
    emittedBy: { functions: ['cart'] },
    maxSeries: 10,
    area: 'business',
  },
  refunds: {
    otelName: 'shop.refunds.minor_units',
    prometheusName: 'shop_refunds_minor_units_total',
    type: 'counter',
    unit: '{minor_unit}',
    help: 'Amount refunded, in minor units (cents) of its currency',
    labels: ['currency'],
    emittedBy: { functions: ['cart'] },
    maxSeries: 10,
    area: 'business',
  },
  payments: {
    otelName: 'shop.payments',
    prometheusName: 'shop_payments_total',
    type: 'counter',
    unit: '{payment}',
    help: 'Payments the providers reported, by provider and outcome',
    labels: ['provider', 'outcome'],
    labelValues: { outcome: ['succeeded', 'failed', 'refunded'] },
    emittedBy: { functions: ['conversion-webhook'] },
    maxSeries: 6,
    area: 'business',
  },
  webhookDeliveries: {
    otelName: 'webhook.deliveries',
    prometheusName: 'webhook_deliveries_total',
    type: 'counter',
    unit: '{delivery}',
    help: 'Webhook deliveries by provider and outcome; invalid_signature, invalid_payload and not_configured are rejections',
    labels: ['provider', 'outcome'],
    labelValues: {
      outcome: [
        'processed',
        'ignored',
        'unmatched',
        'duplicate',
        'invalid_signature',
        'invalid_payload',
        'not_configured',
      ],
    },
    emittedBy: { functions: ['conversion-webhook'] },
    maxSeries: 14,
    area: 'business',
  },
  redirects: {
    otelName: 'shop.redirects',
    prometheusName: 'shop_redirects_total',
    type: 'counter',
    unit: '{redirect}',
    help: 'Affiliate link requests, by outcome (redirected, not_found, expired, disabled, locked, refused); click_dropped counts clicks of redirected requests the click pipeline could not keep (buffer full or Kafka refused)',
    labels: ['outcome'],
    labelValues: {
      outcome: [
        'redirected',
        'not_found',
        'expired',
        'disabled',
        'locked',
        'refused',
        'click_dropped',
      ],
    },
    emittedBy: { functions: ['redirect'] },
    maxSeries: 7,
    area: 'business',
  },
  attributionPayments: {
    otelName: 'shop.attribution.payments',
    prometheusName: 'shop_attribution_payments_total',
    type: 'counter',
    unit: '{payment}',
    help: 'Payments attribution scored, by outcome: attributed (credited to touches), unattributed (no touch in the lookback window), mismatched (amount or currency not the order total: not scored)',
    labels: ['outcome'],
    labelValues: { outcome: ['attributed', 'unattributed', 'mismatched'] },
    emittedBy: { functions: ['attribution'] },
    maxSeries: 3,
    area: 'business',
  },
  analyticsEventsIngested: {
    otelName: 'shop.analytics.events.ingested',
    prometheusName: 'shop_analytics_events_ingested_total',
    type: 'counter',
    unit: '{event}',
    help: 'Analytics events received on the Segment-compatible API, by call type and outcome: accepted (on the analytics topic), overflow (a visitor over 100 events/s, on the overflow topic), historical (over a day old, on the historical topic), deduped (a messageId seen within the day), rejected (invalid, counted per source by reason), unavailable (Kafka did not acknowledge: answered 503, not kept)',
    labels: ['analytics_event_type', 'outcome'],
    labelValues: {
      outcome: ['accepted', 'overflow', 'historical', 'deduped', 'rejected', 'unavailable'],
    },
    emittedBy: { functions: ['analytics-ingest'] },
    maxSeries: 36,
    area: 'business',
  },
} as const satisfies Record<string, MetricDefinition>;

/** A key of the metric catalog (`'httpServerRequestDuration'`). */
export type MetricKey = keyof typeof metricCatalog;

/** Series one function process may expose in all (its kit metrics and its own). */
export const SERIES_BUDGET_PER_PROCESS = 5000;

// OpenTelemetry's Prometheus compatibility rules for units: the suffix a unit adds to a name.
const UNIT_SUFFIXES: Record<string, string> = {
  s: 'seconds',
  ms: 'milliseconds',
  By: 'bytes',
  '1': 'ratio',
};

/**
 * The Prometheus name OpenTelemetry's exporter gives an instrument: non-alphanumerics to `_`,
 * the unit's suffix unless the name ends with it already, `_total` on counters; `{…}` units add
 * nothing.
 * @example prometheusNameOf('http.server.request.duration', 's', 'histogram') // 'http_server_request_duration_seconds'
 */
export function prometheusNameOf(otelName: string, unit: string, type: MetricType): string {
  let name = otelName.replace(/[^a-zA-Z0-9_:]+/g, '_').replace(/_+/g, '_');
  const suffix = unit.startsWith('{') ? undefined : UNIT_SUFFIXES[unit];
  if (suffix && !name.endsWith(`_${suffix}`)) name = `${name}_${suffix}`;
  if (type === 'counter' && !name.endsWith('_total')) name = `${name}_total`;
  return name;
}

/**
 * The labels Loki indexes, and nothing else: every other field of a log line (trace_id,
 * span_id, request_id, route, user ids) stays a structured field of the JSON line, searched with
 * `| json`, never a stream label.
 * @example Object.keys(LOKI_LABELS) // ['service', 'namespace', 'level', 'environment']
 */
export const LOKI_LABELS = {
  service: { description: 'The function (K_SERVICE) that wrote the line', maxValues: 30 },
  namespace: { description: 'Kubernetes namespace', maxValues: 3 },
  level: {
    description: 'pino level name',
    maxValues: 6,
    values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
  },
  environment: {
    description: 'Deployment environment',
    maxValues: 3,
    values: ['dev', 'staging', 'production'],
  },
} as const satisfies Record<string, LabelDefinition>;

/** Fields every log line carries as JSON, for Loki's `| json` and Grafana's trace links. */
export const LOG_STRUCTURED_FIELDS = ['trace_id', 'span_id', 'request_id', 'msg', 'time'] as const;
