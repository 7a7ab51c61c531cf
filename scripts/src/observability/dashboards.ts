// Grafana dashboards (classic JSON model) from the metric catalog and the SLOs: the platform
// overview, one RED dashboard every function shares through its `function` variable, eventing
// and Kafka, and business. Datasources are variables (`${DS_PROMETHEUS}`, Loki, Tempo), so the
// same JSON imports into any Grafana.
import {
  LATENCY_SLO_THRESHOLD_SECONDS,
  metricCatalog as m,
} from '../../../functions/shared/src/telemetry/metric-catalog.js';
import { SLOS, sliRecord } from './alerts.js';

/** Grafana's classic dashboard schema version the JSON is written in (Grafana 12). */
export const SCHEMA_VERSION = 41;

type Json = Record<string, unknown>;

/** Grafana's `${name}` variable syntax (not a template literal). */
const v = (name: string) => `$${'{'}${name}}`;

const prometheus = { type: 'prometheus', uid: v('DS_PROMETHEUS') };
const loki = { type: 'loki', uid: v('DS_LOKI') };
const tempo = { type: 'tempo', uid: v('DS_TEMPO') };

const HTTP = m.httpServerRequestDuration.prometheusName;
const RATE = '[$__rate_interval]';
const NS = 'namespace="$namespace"';

interface Target {
  expr: string;
  legend?: string;
}

interface PanelSpec {
  title: string;
  description: string;
  /** Grafana unit id: `reqps`, `percentunit`, `s`, `short`. */
  unit?: string;
  targets?: Target[];
  /** Width in grid columns (of 24); height is 8 unless given. */
  w?: number;
  h?: number;
  type?: 'timeseries' | 'stat';
  /** Exemplars on: a point links to its trace in Tempo (the Prometheus datasource's setting). */
  exemplars?: boolean;
  links?: { title: string; url: string }[];
  stack?: boolean;
  /** A panel of another datasource, given whole. */
  raw?: Json;
}

interface Section {
  row: string;
  panels: PanelSpec[];
}

function panel(spec: PanelSpec, id: number, gridPos: Json): Json {
  if (spec.raw)
    return { id, title: spec.title, description: spec.description, gridPos, ...spec.raw };
  const type = spec.type ?? 'timeseries';
  const defaults: Json = {
    unit: spec.unit ?? 'short',
    ...(spec.links && { links: spec.links }),
  };
  if (type === 'timeseries') {
    defaults.custom = {
      drawStyle: 'line',
      lineWidth: 1,
      fillOpacity: spec.stack ? 30 : 10,
      showPoints: 'never',
      spanNulls: false,
      stacking: { mode: spec.stack ? 'normal' : 'none', group: 'A' },
    };
  }
  return {
    id,
    type,
    title: spec.title,
    description: spec.description,
    datasource: prometheus,
    gridPos,
    fieldConfig: { defaults, overrides: [] },
    options:
      type === 'stat'
        ? {
            reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
            colorMode: 'value',
            graphMode: 'area',
            textMode: 'auto',
          }
        : {
            legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['max'] },
            tooltip: { mode: 'multi', sort: 'desc' },
          },
    targets: (spec.targets ?? []).map((target, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource: prometheus,
      expr: target.expr,
      legendFormat: target.legend ?? '__auto',
      range: true,
      ...(spec.exemplars && { exemplar: true }),
    })),
  };
}

function layout(sections: Section[]): Json[] {
  const panels: Json[] = [];
  let id = 1;
  let y = 0;
  for (const section of sections) {
    panels.push({
      id: id++,
      type: 'row',
      title: section.row,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const spec of section.panels) {
      const w = spec.w ?? 8;
      const h = spec.h ?? 8;
      if (x + w > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(panel(spec, id++, { h, w, x, y }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return panels;
}

function datasourceVariable(name: string, label: string, query: string): Json {
  return {
    name,
    label,
    type: 'datasource',
    query,
    current: {},
    hide: 0,
    refresh: 1,
    regex: '',
    options: [],
  };
}

function queryVariable(
  name: string,
  label: string,
  query: string,
  options: { multi?: boolean; all?: boolean } = {},
): Json {
  return {
    name,
    label,
    type: 'query',
    datasource: prometheus,
    definition: query,
    query: { query, refId: `${name}-variable` },
    refresh: 2,
    sort: 1,
    hide: 0,
    multi: options.multi ?? false,
    includeAll: options.all ?? false,
    ...(options.all && { allValue: '.*' }),
    current: {},
    options: [],
    regex: '',
  };
}

const namespaceVariable = queryVariable(
  'namespace',
  'Namespace',
  `label_values(${HTTP}_count, namespace)`,
);

function dashboard(options: {
  uid: string;
  title: string;
  description: string;
  variables: Json[];
  sections: Section[];
}): Json {
  return {
    uid: options.uid,
    title: options.title,
    description: options.description,
    tags: ['shop', 'generated'],
    editable: false,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    timezone: 'utc',
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    links: [
      {
        title: 'Shop dashboards',
        type: 'dashboards',
        tags: ['shop'],
        asDropdown: true,
        includeVars: true,
        keepTime: true,
        icon: 'external link',
        targetBlank: false,
        tooltip: '',
        url: '',
      },
    ],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: {
      list: [
        datasourceVariable('DS_PROMETHEUS', 'Prometheus', 'prometheus'),
        datasourceVariable('DS_LOKI', 'Loki', 'loki'),
        datasourceVariable('DS_TEMPO', 'Tempo', 'tempo'),
        ...options.variables,
      ],
    },
    panels: layout(options.sections),
  };
}

function logsPanel(title: string, description: string, expr: string, w = 24): PanelSpec {
  return {
    title,
    description,
    w,
    h: 10,
    raw: {
      type: 'logs',
      datasource: loki,
      targets: [{ refId: 'A', datasource: loki, expr, queryType: 'range' }],
      options: {
        showTime: true,
        showLabels: false,
        showCommonLabels: false,
        wrapLogMessage: true,
        prettifyLogMessage: false,
        enableLogDetails: true,
        dedupStrategy: 'none',
        sortOrder: 'Descending',
      },
    },
  };
}

function tracesPanel(title: string, description: string, query: string, w = 12): PanelSpec {
  return {
    title,
    description,
    w,
    h: 10,
    raw: {
      type: 'table',
      datasource: tempo,
      targets: [
        {
          refId: 'A',
          datasource: tempo,
          queryType: 'traceql',
          query,
          limit: 20,
          tableType: 'traces',
        },
      ],
      fieldConfig: { defaults: {}, overrides: [] },
      options: { showHeader: true, cellHeight: 'sm' },
    },
  };
}

const functionLink = {
  title: `RED of ${v('__field.labels.service')}`,
  url: `/d/shop-function-red/shop-function-red?var-namespace=${v('namespace')}&var-function=${v('__field.labels.service')}&${v('__url_time_range')}`,
};

function overview(): Json {
  const sloPanels = SLOS.flatMap((slo): PanelSpec[] => {
    const budget = Number((1 - slo.objective).toPrecision(6));
    const sel = `{slo="${slo.name}",${NS}}`;
    return [
      {
        title: `${slo.title}: good share (1 h)`,
        description: `${slo.description}. Objective ${slo.objective * 100} %.`,
        type: 'stat',
        unit: 'percentunit',
        w: 6,
        targets: [{ expr: `1 - ${sliRecord('1h')}${sel}`, legend: 'good' }],
      },
      {
        title: `${slo.title}: error budget left (30 d)`,
        description: 'Share of the 30-day error budget not yet spent.',
        type: 'stat',
        unit: 'percentunit',
        w: 6,
        targets: [{ expr: `1 - ${sliRecord('30d')}${sel} / ${budget}`, legend: 'budget left' }],
      },
      {
        title: `${slo.title}: burn rate`,
        description:
          'Bad share divided by the budget: 1 spends the budget in exactly 30 days; the alerts page at 14.4 (1 h) and 6 (6 h).',
        w: 12,
        targets: ['5m', '1h', '6h', '3d'].map((w) => ({
          expr: `${sliRecord(w)}${sel} / ${budget}`,
          legend: w,
        })),
      },
    ];
  });
  return dashboard({
    uid: 'shop-overview',
    title: 'Shop / Platform overview',
    description: 'SLOs, every function at a glance, eventing health and firing alerts.',
    variables: [namespaceVariable],
    sections: [
      { row: 'Service level objectives', panels: sloPanels },
      {
        row: 'Functions',
        panels: [
          {
            title: 'Requests per second by function',
            description: 'Click a series for that function’s RED dashboard.',
            unit: 'reqps',
            links: [functionLink],
            targets: [
              {
                expr: `sum by (service) (rate(${HTTP}_count{${NS}}${RATE}))`,
                legend: '{{service}}',
              },
            ],
          },
          {
            title: '5xx share by function',
            description: 'Share of answers with a 5xx status.',
            unit: 'percentunit',
            links: [functionLink],
            targets: [
              {
                expr: `sum by (service) (rate(${HTTP}_count{${NS},http_response_status_code=~"5.."}${RATE})) / sum by (service) (rate(${HTTP}_count{${NS}}${RATE}))`,
                legend: '{{service}}',
              },
            ],
          },
          {
            title: 'p95 latency by function',
            description: '95th percentile of http.server.request.duration.',
            unit: 's',
            exemplars: true,
            links: [functionLink],
            targets: [
              {
                expr: `histogram_quantile(0.95, sum by (service, le) (rate(${HTTP}_bucket{${NS}}${RATE})))`,
                legend: '{{service}}',
              },
            ],
          },
        ],
      },
      {
        row: 'Eventing',
        panels: [
          {
            title: 'Oldest unpublished outbox event',
            description: 'Age per function; OutboxEventsStale pages above 5 minutes.',
            unit: 's',
            w: 6,
            targets: [
              {
                expr: `max by (service) (${m.outboxOldestPending.prometheusName}{${NS}})`,
                legend: '{{service}}',
              },
            ],
          },
          {
            title: 'Parked outbox events',
            description: 'Waiting for staff to retry them.',
            w: 6,
            targets: [
              {
                expr: `sum by (service) (${m.outboxParkedEvents.prometheusName}{${NS}})`,
                legend: '{{service}}',
              },
            ],
          },
          {
            title: 'Dead-lettered events (15 min)',
            description: 'Events a subscriber refused after the last retry.',
            w: 6,
            targets: [
              {
                expr: `sum by (trigger) (increase(${m.brokerDispatchedEvents.prometheusName}{${NS},outcome="dead_lettered"}[15m]))`,
                legend: '{{trigger}}',
              },
            ],
          },
          {
            title: 'Kafka consumer lag',
            description: 'Uncommitted records per consumer group.',
            w: 6,
            targets: [
              {
                expr: `max by (messaging_consumer_group_name) (${m.kafkaConsumerLag.prometheusName}{${NS}})`,
                legend: '{{messaging_consumer_group_name}}',
              },
            ],
          },
        ],
      },
      {
        row: 'Alerts',
        panels: [
          {
            title: 'Firing and pending alerts',
            description: 'The alerts of knative/observability/prometheus/rules.yaml.',
            w: 24,
            h: 8,
            raw: {
              type: 'alertlist',
              options: {
                viewMode: 'list',
                groupMode: 'default',
                groupBy: [],
                maxItems: 30,
                sortOrder: 1,
                dashboardAlerts: false,
                alertName: '',
                alertInstanceLabelFilter: '{namespace="$namespace"}',
                datasource: v('DS_PROMETHEUS'),
                stateFilter: { firing: true, pending: true, normal: false, error: true },
              },
            },
          },
        ],
      },
    ],
  });
}

function functionRed(): Json {
  const sel = `service="$function",${NS},http_route=~"$route"`;
  const fn = `service="$function",${NS}`;
  return dashboard({
    uid: 'shop-function-red',
    title: 'Shop / Function RED',
    description:
      'Rate, errors and duration of one function (pick it above), its events, its logs and its traces. Every function has the same panels.',
    variables: [
      namespaceVariable,
      queryVariable('function', 'Function', `label_values(${HTTP}_count{${NS}}, service)`),
      queryVariable(
        'route',
        'Route',
        `label_values(${HTTP}_count{service="$function",${NS}}, http_route)`,
        { multi: true, all: true },
      ),
      {
        name: 'trace_id',
        label: 'Trace id (filters the logs)',
        type: 'textbox',
        query: '.*',
        current: { text: '.*', value: '.*' },
        hide: 0,
        options: [],
      },
    ],
    sections: [
      {
        row: 'Requests: rate, errors, duration',
        panels: [
          {
            title: 'Requests per second by route',
            description: 'Route templates, never raw paths.',
            unit: 'reqps',
            targets: [
              {
                expr: `sum by (http_request_method, http_route) (rate(${HTTP}_count{${sel}}${RATE}))`,
                legend: '{{http_request_method}} {{http_route}}',
              },
            ],
          },
          {
            title: '5xx share by route',
            description: 'Server errors among all answers.',
            unit: 'percentunit',
            targets: [
              {
                expr: `sum by (http_route) (rate(${HTTP}_count{${sel},http_response_status_code=~"5.."}${RATE})) / sum by (http_route) (rate(${HTTP}_count{${sel}}${RATE}))`,
                legend: '{{http_route}}',
              },
            ],
          },
          {
            title: 'Answers by status code',
            description: '4xx are the callers’ mistakes, 5xx ours.',
            unit: 'reqps',
            stack: true,
            targets: [
              {
                expr: `sum by (http_response_status_code) (rate(${HTTP}_count{${sel}}${RATE}))`,
                legend: '{{http_response_status_code}}',
              },
            ],
          },
          {
            title: 'Latency percentiles',
            description:
              'p50, p95, p99 of http.server.request.duration; exemplar points open their trace in Tempo.',
            unit: 's',
            w: 12,
            exemplars: true,
            targets: [0.5, 0.95, 0.99].map((q) => ({
              expr: `histogram_quantile(${q}, sum by (le) (rate(${HTTP}_bucket{${sel}}${RATE})))`,
              legend: `p${q * 100}`,
            })),
          },
          {
            title: 'p95 latency by route',
            description: 'The slowest routes first in the legend.',
            unit: 's',
            w: 12,
            exemplars: true,
            targets: [
              {
                expr: `histogram_quantile(0.95, sum by (http_route, le) (rate(${HTTP}_bucket{${sel}}${RATE})))`,
                legend: '{{http_route}}',
              },
            ],
          },
          {
            title: `Share answered within ${LATENCY_SLO_THRESHOLD_SECONDS * 1000} ms`,
            description: 'The gateway latency SLO’s measure, for this function.',
            unit: 'percentunit',
            w: 24,
            h: 6,
            targets: [
              {
                expr: `sum(rate(${HTTP}_bucket{${sel},le="${LATENCY_SLO_THRESHOLD_SECONDS}"}${RATE})) / sum(rate(${HTTP}_count{${sel}}${RATE}))`,
                legend: 'within threshold',
              },
            ],
          },
        ],
      },
      {
        row: 'Events this function publishes and consumes',
        panels: [
          {
            title: 'Outbox backlog',
            description: 'Pending and parked outbox events (empty for functions without one).',
            targets: [
              { expr: `${m.outboxPendingEvents.prometheusName}{${fn}}`, legend: 'pending' },
              { expr: `${m.outboxParkedEvents.prometheusName}{${fn}}`, legend: 'parked' },
            ],
          },
          {
            title: 'Oldest unpublished outbox event',
            description: 'How long the oldest pending event has waited.',
            unit: 's',
            targets: [{ expr: `${m.outboxOldestPending.prometheusName}{${fn}}`, legend: 'age' }],
          },
          {
            title: 'Outbox publish failures',
            description: 'sink: retried later; event: parked.',
            unit: 'ops',
            targets: [
              {
                expr: `sum by (reason) (rate(${m.outboxPublishFailures.prometheusName}{${fn}}${RATE}))`,
                legend: '{{reason}}',
              },
            ],
          },
          {
            title: 'Events received by type and outcome',
            description: 'CloudEvents the broker delivered to /events.',
            unit: 'ops',
            stack: true,
            targets: [
              {
                expr: `sum by (cloudevents_event_type, outcome) (rate(${m.eventsReceived.prometheusName}{${fn}}${RATE}))`,
                legend: '{{cloudevents_event_type}} {{outcome}}',
              },
            ],
          },
          {
            title: 'Event handling p95 by type',
            description: 'messaging.process.duration.',
            unit: 's',
            exemplars: true,
            targets: [
              {
                expr: `histogram_quantile(0.95, sum by (cloudevents_event_type, le) (rate(${m.messagingProcessDuration.prometheusName}_bucket{${fn}}${RATE})))`,
                legend: '{{cloudevents_event_type}}',
              },
            ],
          },
          {
            title: 'Event handling failures by type',
            description: 'Deliveries that ended with an error_type.',
            unit: 'ops',
            targets: [
              {
                expr: `sum by (cloudevents_event_type, error_type) (rate(${m.messagingProcessDuration.prometheusName}_count{${fn},error_type!=""}${RATE}))`,
                legend: '{{cloudevents_event_type}} {{error_type}}',
              },
            ],
          },
        ],
      },
      {
        row: 'Logs and traces',
        panels: [
          logsPanel(
            'Logs',
            'JSON lines of the function; paste a trace id in the variable above to see one request’s lines. trace_id opens the trace (Loki derived field).',
            `{service="$function", ${NS}} | json | trace_id =~ "$trace_id"`,
          ),
          logsPanel(
            'Errors',
            'error and fatal lines only.',
            `{service="$function", ${NS}, level=~"error|fatal"} | json`,
            12,
          ),
          tracesPanel(
            'Failed traces',
            'Traces with an error span in this function; a trace id opens it.',
            '{ resource.service.name = "$function" && status = error }',
          ),
          tracesPanel(
            'Slow server spans',
            `Requests this function served slower than ${LATENCY_SLO_THRESHOLD_SECONDS * 1000} ms.`,
            `{ resource.service.name = "$function" && kind = server && duration > ${LATENCY_SLO_THRESHOLD_SECONDS * 1000}ms }`,
            24,
          ),
        ],
      },
    ],
  });
}

function eventing(): Json {
  const trig = `${NS},trigger=~"$trigger"`;
  return dashboard({
    uid: 'shop-eventing',
    title: 'Shop / Eventing and Kafka',
    description:
      'Outboxes, the broker’s ingress and Triggers, dead letters, event consumers and Kafka consumer lag.',
    variables: [
      namespaceVariable,
      queryVariable(
        'trigger',
        'Trigger',
        `label_values(${m.brokerDispatchedEvents.prometheusName}{${NS}}, trigger)`,
        { multi: true, all: true },
      ),
    ],
    sections: [
      {
        row: 'Outboxes',
        panels: [
          {
            title: 'Outbox backlog by function',
            description: 'Events not yet published (parked ones aside).',
            targets: [
              {
                expr: `sum by (service) (${m.outboxPendingEvents.prometheusName}{${NS}})`,
                legend: '{{service}}',
              },
            ],
          },
          {
            title: 'Oldest unpublished event by function',
            description: 'OutboxEventsStale pages above 5 minutes.',
            unit: 's',
            targets: [
              {
                expr: `max by (service) (${m.outboxOldestPending.prometheusName}{${NS}})`,
                legend: '{{service}}',
              },
            ],
          },
          {
            title: 'Parked events by function',
            description: 'OutboxEventsParked opens a ticket while any is parked.',
            targets: [
              {
                expr: `sum by (service) (${m.outboxParkedEvents.prometheusName}{${NS}})`,
                legend: '{{service}}',
              },
            ],
          },
          {
            title: 'Published per second',
            description: 'Events the relays handed to the broker.',
            unit: 'ops',
            targets: [
              {
                expr: `sum by (service) (rate(${m.outboxEventsPublished.prometheusName}{${NS}}${RATE}))`,
                legend: '{{service}}',
              },
            ],
          },
          {
            title: 'Publish failures',
            description: 'By function and reason (sink: retried; event: parked).',
            unit: 'ops',
            targets: [
              {
                expr: `sum by (service, reason) (rate(${m.outboxPublishFailures.prometheusName}{${NS}}${RATE}))`,
                legend: '{{service}} {{reason}}',
              },
            ],
          },
          {
            title: 'Parked per hour, by reason',
            description: 'refused, too_large, invalid, exhausted.',
            targets: [
              {
                expr: `sum by (service, reason) (increase(${m.outboxEventsParked.prometheusName}{${NS}}[1h]))`,
                legend: '{{service}} {{reason}}',
              },
            ],
          },
        ],
      },
      {
        row: 'Broker',
        panels: [
          {
            title: 'Ingress by broker and status',
            description: 'Events posted to the brokers; 202 accepted.',
            unit: 'ops',
            stack: true,
            targets: [
              {
                expr: `sum by (broker, http_response_status_code) (rate(${m.brokerIngressEvents.prometheusName}{${NS}}${RATE}))`,
                legend: '{{broker}} {{http_response_status_code}}',
              },
            ],
          },
          {
            title: 'Deliveries by Trigger and outcome',
            description: 'delivered, filtered, dead_lettered.',
            unit: 'ops',
            targets: [
              {
                expr: `sum by (trigger, outcome) (rate(${m.brokerDispatchedEvents.prometheusName}{${trig}}${RATE}))`,
                legend: '{{trigger}} {{outcome}}',
              },
            ],
          },
          {
            title: 'Dead-lettered (15 min) and dropped',
            description:
              'EventsDeadLettered opens a ticket while dead letters grow; EventsDropped pages.',
            targets: [
              {
                expr: `sum by (trigger) (increase(${m.brokerDispatchedEvents.prometheusName}{${trig},outcome="dead_lettered"}[15m]))`,
                legend: 'dead-lettered {{trigger}}',
              },
              {
                expr: `sum by (trigger, reason) (increase(${m.brokerEventsDropped.prometheusName}{${trig}}[15m]))`,
                legend: 'dropped {{trigger}} {{reason}}',
              },
            ],
          },
        ],
      },
      {
        row: 'Consumers',
        panels: [
          {
            title: 'Handling p95 by function and type',
            description: 'messaging.process.duration at the subscriber.',
            unit: 's',
            exemplars: true,
            targets: [
              {
                expr: `histogram_quantile(0.95, sum by (service, cloudevents_event_type, le) (rate(${m.messagingProcessDuration.prometheusName}_bucket{${NS}}${RATE})))`,
                legend: '{{service}} {{cloudevents_event_type}}',
              },
            ],
          },
          {
            title: 'Handling failure share',
            description: 'EventConsumeFailures opens a ticket above 5 %.',
            unit: 'percentunit',
            targets: [
              {
                expr: `sum by (service, cloudevents_event_type) (rate(${m.messagingProcessDuration.prometheusName}_count{${NS},error_type!=""}${RATE})) / sum by (service, cloudevents_event_type) (rate(${m.messagingProcessDuration.prometheusName}_count{${NS}}${RATE}))`,
                legend: '{{service}} {{cloudevents_event_type}}',
              },
            ],
          },
          {
            title: 'Received by outcome',
            description: 'handled, duplicate, in_progress, rejected, failed.',
            unit: 'ops',
            stack: true,
            targets: [
              {
                expr: `sum by (service, outcome) (rate(${m.eventsReceived.prometheusName}{${NS}}${RATE}))`,
                legend: '{{service}} {{outcome}}',
              },
            ],
          },
        ],
      },
      {
        row: 'Kafka',
        panels: [
          {
            title: 'Consumer lag by group and topic',
            description: 'KafkaConsumerLagHigh opens a ticket above 1000 for 10 minutes.',
            w: 16,
            targets: [
              {
                expr: `max by (messaging_consumer_group_name, messaging_destination_name) (${m.kafkaConsumerLag.prometheusName}{${NS}})`,
                legend: '{{messaging_consumer_group_name}} {{messaging_destination_name}}',
              },
            ],
          },
          {
            title: 'Largest lag',
            description: 'Of any consumer group.',
            type: 'stat',
            w: 8,
            targets: [{ expr: `max(${m.kafkaConsumerLag.prometheusName}{${NS}})`, legend: 'lag' }],
          },
        ],
      },
      {
        row: 'Traces and logs of events',
        panels: [
          tracesPanel(
            'Traces through the broker',
            'Spans that carry a CloudEvent type: the producer, the broker hop and the consumer share one trace.',
            '{ span.cloudevents.event_type != nil }',
          ),
          tracesPanel(
            'Failed event handling',
            'Consumer spans with an error.',
            '{ span.cloudevents.event_type != nil && status = error }',
          ),
          logsPanel(
            'Broker warnings and errors',
            'Retries, dead letters and drops, with their trace ids.',
            `{service="broker", ${NS}, level=~"warn|error|fatal"} | json`,
          ),
        ],
      },
    ],
  });
}

function business(): Json {
  const cur = `${NS},currency=~"$currency"`;
  return dashboard({
    uid: 'shop-business',
    title: 'Shop / Business',
    description:
      'Orders, revenue per currency (minor units), payments, webhooks, redirects and ingested analytics events.',
    variables: [
      namespaceVariable,
      queryVariable(
        'currency',
        'Currency',
        `label_values(${m.ordersCreated.prometheusName}{${NS}}, currency)`,
        { multi: true, all: true },
      ),
    ],
    sections: [
      {
        row: 'Orders and revenue',
        panels: [
          {
            title: 'Orders in the time range',
            description: 'Orders created at checkout.',
            type: 'stat',
            w: 6,
            targets: [
              {
                expr: `sum by (currency) (increase(${m.ordersCreated.prometheusName}{${cur}}[$__range]))`,
                legend: '{{currency}}',
              },
            ],
          },
          {
            title: 'Revenue in the time range (minor units)',
            description: 'Paid order amounts in cents (or the currency’s minor unit).',
            type: 'stat',
            w: 6,
            targets: [
              {
                expr: `sum by (currency) (increase(${m.revenue.prometheusName}{${cur}}[$__range]))`,
                legend: '{{currency}}',
              },
            ],
          },
          {
            title: 'Orders per hour',
            description: 'By currency.',
            w: 12,
            targets: [
              {
                expr: `sum by (currency) (increase(${m.ordersCreated.prometheusName}{${cur}}[1h]))`,
                legend: '{{currency}}',
              },
            ],
          },
          {
            title: 'Revenue and refunds per hour (minor units)',
            description: 'Paid and refunded amounts by currency.',
            w: 24,
            targets: [
              {
                expr: `sum by (currency) (increase(${m.revenue.prometheusName}{${cur}}[1h]))`,
                legend: 'revenue {{currency}}',
              },
              {
                expr: `sum by (currency) (increase(${m.refunds.prometheusName}{${cur}}[1h]))`,
                legend: 'refunds {{currency}}',
              },
            ],
          },
        ],
      },
      {
        row: 'Payments and webhooks',
        panels: [
          {
            title: 'Payments by outcome',
            description: 'As the providers reported them.',
            unit: 'ops',
            stack: true,
            targets: [
              {
                expr: `sum by (provider, outcome) (rate(${m.payments.prometheusName}{${NS}}${RATE}))`,
                legend: '{{provider}} {{outcome}}',
              },
            ],
          },
          {
            title: 'Payment success share',
            description: 'succeeded / (succeeded + failed).',
            unit: 'percentunit',
            targets: [
              {
                expr: `sum by (provider) (rate(${m.payments.prometheusName}{${NS},outcome="succeeded"}${RATE})) / sum by (provider) (rate(${m.payments.prometheusName}{${NS},outcome=~"succeeded|failed"}${RATE}))`,
                legend: '{{provider}}',
              },
            ],
          },
          {
            title: 'Webhook deliveries by outcome',
            description:
              'Rejections (invalid_signature, invalid_payload, not_configured) page above 25 %.',
            unit: 'ops',
            stack: true,
            targets: [
              {
                expr: `sum by (provider, outcome) (rate(${m.webhookDeliveries.prometheusName}{${NS}}${RATE}))`,
                legend: '{{provider}} {{outcome}}',
              },
            ],
          },
        ],
      },
      {
        row: 'Traffic',
        panels: [
          {
            title: 'Affiliate redirects by outcome',
            description: '/r/:code answers.',
            unit: 'ops',
            w: 12,
            stack: true,
            targets: [
              {
                expr: `sum by (outcome) (rate(${m.redirects.prometheusName}{${NS}}${RATE}))`,
                legend: '{{outcome}}',
              },
            ],
          },
          {
            title: 'Analytics events ingested',
            description: 'Segment-compatible calls by type and outcome.',
            unit: 'ops',
            w: 12,
            stack: true,
            targets: [
              {
                expr: `sum by (analytics_event_type, outcome) (rate(${m.analyticsEventsIngested.prometheusName}{${NS}}${RATE}))`,
                legend: '{{analytics_event_type}} {{outcome}}',
              },
            ],
          },
        ],
      },
    ],
  });
}

/**
 * Every dashboard by file name.
 * @example Object.keys(dashboards()) // ['overview.json', 'function-red.json', 'eventing.json', 'business.json']
 */
export function dashboards(): Record<string, Json> {
  return {
    'overview.json': overview(),
    'function-red.json': functionRed(),
    'eventing.json': eventing(),
    'business.json': business(),
  };
}
