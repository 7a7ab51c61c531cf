// The SLOs and alerts of the platform, each alert with the promtool cases that show it firing
// and not firing. Metric names come from the kit's metric catalog, never typed here.
import {
  LATENCY_SLO_THRESHOLD_SECONDS,
  metricCatalog as m,
} from '../../../functions/shared/src/telemetry/metric-catalog.js';

/** `page` wakes someone up; `ticket` is for working hours (Google SRE workbook, chapter 5). */
export type Severity = 'page' | 'ticket';

/** One input series of a promtool test: a selector and samples in expanding notation. */
export interface InputSeries {
  series: string;
  values: string;
}

/** A promtool case: at `at`, the alert fires with `labels` (its own added) or does not fire. */
export interface AlertCase {
  name: string;
  fires: boolean;
  at: string;
  series: InputSeries[];
  /** Labels of the firing alert besides the rule's own (those its expression keeps). */
  labels?: Record<string, string>;
  /** Sample interval of the input series (default 1m). */
  interval?: string;
}

/** One alerting rule and its tests. */
export interface AlertDefinition {
  alert: string;
  expr: string;
  for?: string;
  severity: Severity;
  labels?: Record<string, string>;
  /** Templates may use `{{ $labels.<name> }}` only, so the tests can render them exactly. */
  summary: string;
  description: string;
  /** Heading anchor in RUNBOOK.md. */
  runbook: string;
  cases: AlertCase[];
}

/** A service level objective measured as a ratio of bad to all events. */
export interface Slo {
  /** `gateway-availability`; the `slo` label of its recording rules and alerts. */
  name: string;
  /** PascalCase prefix of its alerts (`GatewayAvailability`). */
  alertPrefix: string;
  title: string;
  objective: number;
  description: string;
  /** Rate of bad events over a window, summed by namespace. */
  bad(window: string): string;
  /** Rate of all events over a window, summed by namespace. */
  total(window: string): string;
  /** Input series at a ratio of bad events per segment, 1000 events a minute, a sample a step. */
  series(segments: Segment[], stepMinutes?: number): InputSeries[];
  runbook: string;
}

/** A stretch of synthetic traffic: so many minutes at a share of bad events. */
export interface Segment {
  minutes: number;
  bad: number;
}

/** Windows the SLI ratios are recorded over: the alert windows and the 30-day budget. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '6h', '3d', '30d'] as const;
/** The error budget period. */
export const BUDGET_PERIOD = '30d';

/** One multi-window, multi-burn-rate alert tier (Google SRE workbook, table 5-8). */
export interface BurnTier {
  suffix: string;
  factor: number;
  long: (typeof SLI_WINDOWS)[number];
  short: (typeof SLI_WINDOWS)[number];
  severity: Severity;
  for: string;
  /** Share of the 30-day budget this tier has spent when it fires. */
  budgetSpent: string;
}

/** Page at 14.4× over 1 h and 5 min, page at 6× over 6 h and 30 min, ticket at 1× over 3 d and 6 h. */
export const BURN_TIERS: readonly BurnTier[] = [
  {
    suffix: 'FastBurn',
    factor: 14.4,
    long: '1h',
    short: '5m',
    severity: 'page',
    for: '2m',
    budgetSpent: '2 % of the 30-day budget in one hour',
  },
  {
    suffix: 'SlowBurn',
    factor: 6,
    long: '6h',
    short: '30m',
    severity: 'page',
    for: '15m',
    budgetSpent: '5 % of the 30-day budget in six hours',
  },
  {
    suffix: 'BudgetBurn',
    factor: 1,
    long: '3d',
    short: '6h',
    severity: 'ticket',
    for: '1h',
    budgetSpent: '10 % of the 30-day budget in three days',
  },
];

const HTTP = m.httpServerRequestDuration.prometheusName;
const EVENTS_PER_MINUTE = 1000;

/**
 * Samples of a counter growing at a rate per minute in each segment, in promtool's expanding
 * notation, one sample a step (default a minute) from 0.
 * @example counterValues([{ minutes: 2, perMinute: 5 }, { minutes: 1, perMinute: 0 }]) // '0+5x2 10+0x0'
 */
export function counterValues(
  segments: { minutes: number; perMinute: number }[],
  stepMinutes = 1,
): string {
  let value = 0;
  const terms: string[] = [];
  segments.forEach((segment, index) => {
    const perStep = segment.perMinute * stepMinutes;
    const steps = segment.minutes / stepMinutes;
    if (!Number.isInteger(steps)) throw new Error('segments must be whole steps');
    const first = index === 0 ? value : value + perStep;
    terms.push(`${round(first)}+${round(perStep)}x${index === 0 ? steps : steps - 1}`);
    value += segment.minutes * segment.perMinute;
  });
  return terms.join(' ');
}

function round(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

function selector(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
}

function httpSeries(
  base: Record<string, string>,
  segments: Segment[],
  split: (bad: number) => { good: number; bad: number },
  codes: { good: string; bad: string },
  stepMinutes = 1,
): InputSeries[] {
  const counts = (part: 'good' | 'bad') =>
    counterValues(
      segments.map((s) => ({
        minutes: s.minutes,
        perMinute: split(s.bad)[part] * EVENTS_PER_MINUTE,
      })),
      stepMinutes,
    );
  return [
    {
      series: `${HTTP}_count${selector({ ...base, http_response_status_code: codes.good })}`,
      values: counts('good'),
    },
    {
      series: `${HTTP}_count${selector({ ...base, http_response_status_code: codes.bad })}`,
      values: counts('bad'),
    },
  ];
}

const NS = { namespace: 'shop' };
const gateway = { ...NS, service: 'api-gateway' };
const checkout = {
  ...NS,
  service: 'cart',
  http_request_method: 'POST',
  http_route: '/api/cart/checkout',
};

/** The SLOs, each alerted on in every burn tier. */
export const SLOS: readonly Slo[] = [
  {
    name: 'gateway-availability',
    alertPrefix: 'GatewayAvailability',
    title: 'Gateway availability',
    objective: 0.999,
    description: '99.9 % of requests through the gateway are answered without a 5xx',
    bad: (w) =>
      `sum by (namespace) (rate(${HTTP}_count{service="api-gateway",http_response_status_code=~"5.."}[${w}]))`,
    total: (w) => `sum by (namespace) (rate(${HTTP}_count{service="api-gateway"}[${w}]))`,
    series: (segments, step) =>
      httpSeries(
        { ...gateway, http_request_method: 'GET', http_route: '/api/offers' },
        segments,
        (bad) => ({ good: 1 - bad, bad }),
        { good: '200', bad: '503' },
        step,
      ),
    runbook: 'gateway-availability',
  },
  {
    name: 'gateway-latency',
    alertPrefix: 'GatewayLatency',
    title: 'Gateway latency',
    objective: 0.99,
    description: `99 % of requests through the gateway are answered within ${LATENCY_SLO_THRESHOLD_SECONDS * 1000} ms`,
    bad: (w) =>
      `(sum by (namespace) (rate(${HTTP}_count{service="api-gateway"}[${w}])) - sum by (namespace) (rate(${HTTP}_bucket{service="api-gateway",le="${LATENCY_SLO_THRESHOLD_SECONDS}"}[${w}])))`,
    total: (w) => `sum by (namespace) (rate(${HTTP}_count{service="api-gateway"}[${w}]))`,
    series: (segments, step) => {
      const labels = {
        ...gateway,
        http_request_method: 'GET',
        http_route: '/api/offers',
        http_response_status_code: '200',
      };
      return [
        {
          series: `${HTTP}_count${selector(labels)}`,
          values: counterValues(
            segments.map((s) => ({ minutes: s.minutes, perMinute: EVENTS_PER_MINUTE })),
            step,
          ),
        },
        {
          series: `${HTTP}_bucket${selector({ ...labels, le: String(LATENCY_SLO_THRESHOLD_SECONDS) })}`,
          values: counterValues(
            segments.map((s) => ({
              minutes: s.minutes,
              perMinute: (1 - s.bad) * EVENTS_PER_MINUTE,
            })),
            step,
          ),
        },
      ];
    },
    runbook: 'gateway-latency',
  },
  {
    name: 'checkout-success',
    alertPrefix: 'CheckoutSuccess',
    title: 'Checkout success',
    objective: 0.995,
    description: '99.5 % of checkouts (POST /api/cart/checkout at cart) end without a 5xx',
    bad: (w) =>
      `sum by (namespace) (rate(${HTTP}_count{service="cart",http_request_method="POST",http_route="/api/cart/checkout",http_response_status_code=~"5.."}[${w}]))`,
    total: (w) =>
      `sum by (namespace) (rate(${HTTP}_count{service="cart",http_request_method="POST",http_route="/api/cart/checkout"}[${w}]))`,
    series: (segments, step) =>
      httpSeries(
        checkout,
        segments,
        (bad) => ({ good: 1 - bad, bad }),
        { good: '201', bad: '500' },
        step,
      ),
    runbook: 'checkout-success',
  },
];

/** `slo:sli_error:ratio_rate5m` — the recorded share of bad events over a window. */
export function sliRecord(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

function minutesOf(duration: string): number {
  const n = Number.parseInt(duration, 10);
  if (duration.endsWith('m')) return n;
  if (duration.endsWith('h')) return n * 60;
  if (duration.endsWith('d')) return n * 60 * 24;
  throw new Error(`unsupported duration ${duration}`);
}

function at(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

function burnAlert(slo: Slo, tier: BurnTier): AlertDefinition {
  const budget = 1 - slo.objective;
  const threshold = `(${tier.factor} * ${round(budget)})`;
  const over = (w: string) => `${sliRecord(w)}{slo="${slo.name}"} > ${threshold}`;
  const short = minutesOf(tier.short);
  const wait = minutesOf(tier.for);
  // The long window is never waited out in full: a rate over less data than its window is the
  // same ratio. Firing needs the short window filled and `for` elapsed. Hours of samples are
  // taken every 5 minutes, which the windows of 30 minutes and more still see many of.
  const step = short >= 30 ? 5 : 1;
  const firing = short + wait + 5;
  const interval = `${step}m`;
  const above = Math.min(0.9, tier.factor * budget * 2);
  const below = tier.factor * budget * 0.5;
  const cases: AlertCase[] = [
    {
      name: `fires at twice the ${tier.factor}× burn rate`,
      fires: true,
      at: at(firing),
      interval,
      series: slo.series([{ minutes: firing, bad: above }], step),
      labels: { ...NS, slo: slo.name },
    },
    {
      name: `stays quiet at half the ${tier.factor}× burn rate`,
      fires: false,
      at: at(firing),
      interval,
      series: slo.series([{ minutes: firing, bad: below }], step),
    },
    {
      name: `resolves once the last ${tier.short} are clean, the ${tier.long} still over budget`,
      fires: false,
      at: at(firing + short + 5),
      interval,
      series: slo.series(
        [
          { minutes: firing, bad: above },
          { minutes: short + 5, bad: 0 },
        ],
        step,
      ),
    },
  ];
  if (tier.suffix === 'FastBurn') {
    cases.push({
      name: 'does not page for a three-minute spike after an hour of clean traffic',
      fires: false,
      at: '65m',
      series: slo.series([
        { minutes: 60, bad: 0 },
        { minutes: 3, bad: Math.min(0.9, tier.factor * budget * 3) },
        { minutes: 2, bad: 0 },
      ]),
    });
  }
  return {
    alert: `${slo.alertPrefix}${tier.suffix}`,
    expr: `(\n  ${over(tier.long)}\nand\n  ${over(tier.short)}\n)`,
    for: tier.for,
    severity: tier.severity,
    labels: { slo: slo.name, burn_rate: String(tier.factor), window: tier.long },
    summary: `${slo.title} is burning its error budget ${tier.factor}× too fast ({{ $labels.namespace }})`,
    description: `${slo.description}; over the last ${tier.long} and ${tier.short} the bad share is above ${tier.factor}× the budget of ${round(budget * 100)} %, which spends ${tier.budgetSpent}.`,
    runbook: slo.runbook,
    cases,
  };
}

const WEBHOOK_REJECTED = 'invalid_signature|invalid_payload|not_configured';
const webhook = { ...NS, service: 'conversion-webhook' };

/** Every alert: the burn tiers of each SLO, then the symptom alerts of eventing and payments. */
export const ALERTS: readonly AlertDefinition[] = [
  ...SLOS.flatMap((slo) => BURN_TIERS.map((tier) => burnAlert(slo, tier))),
  {
    alert: 'PaymentWebhookRejections',
    expr: `sum by (namespace, provider) (rate(${m.webhookDeliveries.prometheusName}{outcome=~"${WEBHOOK_REJECTED}"}[10m]))\n/\nsum by (namespace, provider) (rate(${m.webhookDeliveries.prometheusName}[10m]))\n> 0.25`,
    for: '10m',
    severity: 'page',
    summary: 'A quarter of {{ $labels.provider }} webhooks are rejected ({{ $labels.namespace }})',
    description:
      'More than 25 % of the payment webhooks from {{ $labels.provider }} failed signature or payload checks or hit an unconfigured secret for 10 minutes: payments are not being recorded and orders stay unpaid.',
    runbook: 'payment-webhook-rejections',
    cases: [
      {
        name: 'fires when half the deliveries have a bad signature',
        fires: true,
        at: '25m',
        series: [
          {
            series: `${m.webhookDeliveries.prometheusName}${selector({ ...webhook, provider: 'stripe', outcome: 'processed' })}`,
            values: counterValues([{ minutes: 25, perMinute: 10 }]),
          },
          {
            series: `${m.webhookDeliveries.prometheusName}${selector({ ...webhook, provider: 'stripe', outcome: 'invalid_signature' })}`,
            values: counterValues([{ minutes: 25, perMinute: 10 }]),
          },
        ],
        labels: { ...NS, provider: 'stripe' },
      },
      {
        name: 'stays quiet for an occasional forged delivery',
        fires: false,
        at: '25m',
        series: [
          {
            series: `${m.webhookDeliveries.prometheusName}${selector({ ...webhook, provider: 'stripe', outcome: 'processed' })}`,
            values: counterValues([{ minutes: 25, perMinute: 20 }]),
          },
          {
            series: `${m.webhookDeliveries.prometheusName}${selector({ ...webhook, provider: 'stripe', outcome: 'invalid_signature' })}`,
            values: counterValues([{ minutes: 25, perMinute: 1 }]),
          },
        ],
      },
    ],
  },
  {
    alert: 'PaymentWebhookServerErrors',
    expr: `sum by (namespace) (rate(${HTTP}_count{service="conversion-webhook",http_route=~"/webhooks/.+",http_response_status_code=~"5.."}[10m]))\n/\nsum by (namespace) (rate(${HTTP}_count{service="conversion-webhook",http_route=~"/webhooks/.+"}[10m]))\n> 0.05`,
    for: '10m',
    severity: 'page',
    summary: 'Payment webhooks fail with 5xx ({{ $labels.namespace }})',
    description:
      'More than 5 % of the payment webhook requests were answered with a 5xx for 10 minutes. Providers retry, but every minute delays paid orders and a long outage outlasts their retries.',
    runbook: 'payment-webhook-server-errors',
    cases: [
      {
        name: 'fires when a tenth of the webhooks fail',
        fires: true,
        at: '25m',
        series: httpSeries(
          { ...webhook, http_request_method: 'POST', http_route: '/webhooks/payments/stripe' },
          [{ minutes: 25, bad: 0.1 }],
          (bad) => ({ good: 1 - bad, bad }),
          { good: '200', bad: '500' },
        ),
        labels: { ...NS },
      },
      {
        name: 'stays quiet at one failure in a hundred',
        fires: false,
        at: '25m',
        series: httpSeries(
          { ...webhook, http_request_method: 'POST', http_route: '/webhooks/payments/stripe' },
          [{ minutes: 25, bad: 0.01 }],
          (bad) => ({ good: 1 - bad, bad }),
          { good: '200', bad: '500' },
        ),
      },
    ],
  },
  {
    alert: 'EventsDeadLettered',
    expr: `sum by (namespace, trigger) (increase(${m.brokerDispatchedEvents.prometheusName}{outcome="dead_lettered"}[15m])) > 0`,
    severity: 'ticket',
    summary: 'Trigger {{ $labels.trigger }} sends events to the dead-letter broker',
    description:
      'Events for Trigger {{ $labels.trigger }} ({{ $labels.namespace }}) were refused by their subscriber after the last retry in the last 15 minutes and went to the dead-letter broker: they need a fix and a replay.',
    runbook: 'events-dead-lettered',
    cases: [
      {
        name: 'fires while the dead-letter count grows',
        fires: true,
        at: '20m',
        series: [
          {
            series: `${m.brokerDispatchedEvents.prometheusName}${selector({ ...NS, service: 'broker', trigger: 'cart-on-payment-events', outcome: 'dead_lettered' })}`,
            values: counterValues([{ minutes: 20, perMinute: 1 }]),
          },
        ],
        labels: { ...NS, trigger: 'cart-on-payment-events' },
      },
      {
        name: 'stays quiet for old dead letters that no longer grow',
        fires: false,
        at: '30m',
        series: [
          {
            series: `${m.brokerDispatchedEvents.prometheusName}${selector({ ...NS, service: 'broker', trigger: 'cart-on-payment-events', outcome: 'dead_lettered' })}`,
            values: '3+0x30',
          },
          {
            series: `${m.brokerDispatchedEvents.prometheusName}${selector({ ...NS, service: 'broker', trigger: 'cart-on-payment-events', outcome: 'delivered' })}`,
            values: counterValues([{ minutes: 30, perMinute: 50 }]),
          },
        ],
      },
    ],
  },
  {
    alert: 'EventsDropped',
    expr: `sum by (namespace, trigger, reason) (increase(${m.brokerEventsDropped.prometheusName}[15m])) > 0`,
    severity: 'page',
    summary: 'Trigger {{ $labels.trigger }} drops events ({{ $labels.reason }})',
    description:
      'The broker dropped events for Trigger {{ $labels.trigger }} ({{ $labels.namespace }}) in the last 15 minutes because of {{ $labels.reason }}: they are lost unless replayed from the topic.',
    runbook: 'events-dropped',
    cases: [
      {
        name: 'fires when a dead-letter sink fails',
        fires: true,
        at: '10m',
        series: [
          {
            series: `${m.brokerEventsDropped.prometheusName}${selector({ ...NS, service: 'broker', trigger: 'cart-on-payment-events', reason: 'dead_letter_failed' })}`,
            values: '0+0x4 1+1x5',
          },
        ],
        labels: { ...NS, trigger: 'cart-on-payment-events', reason: 'dead_letter_failed' },
      },
      {
        name: 'stays quiet while nothing is dropped',
        fires: false,
        at: '10m',
        series: [
          {
            series: `${m.brokerEventsDropped.prometheusName}${selector({ ...NS, service: 'broker', trigger: 'cart-on-payment-events', reason: 'dead_letter_failed' })}`,
            values: '0+0x10',
          },
        ],
      },
    ],
  },
  {
    alert: 'OutboxEventsStale',
    expr: `max by (namespace, service) (${m.outboxOldestPending.prometheusName}) > 300`,
    for: '5m',
    severity: 'page',
    summary: 'The outbox of {{ $labels.service }} has not published for 5 minutes',
    description:
      'The oldest unpublished outbox event of {{ $labels.service }} ({{ $labels.namespace }}) is older than 5 minutes: the relay is stuck or the broker refuses it, and consumers (paid orders, mails, audit) wait.',
    runbook: 'outbox-events-stale',
    cases: [
      {
        name: 'fires when the oldest pending event keeps ageing',
        fires: true,
        at: '15m',
        series: [
          {
            series: `${m.outboxOldestPending.prometheusName}${selector({ ...NS, service: 'cart' })}`,
            values: '0+60x15',
          },
        ],
        labels: { ...NS, service: 'cart' },
      },
      {
        name: 'stays quiet while events leave within seconds',
        fires: false,
        at: '15m',
        series: [
          {
            series: `${m.outboxOldestPending.prometheusName}${selector({ ...NS, service: 'cart' })}`,
            values: '0 2 0 1 0 3 0 0 1 0 2 0 0 1 0 0',
          },
        ],
      },
    ],
  },
  {
    alert: 'OutboxEventsParked',
    expr: `max by (namespace, service) (${m.outboxParkedEvents.prometheusName}) > 0`,
    for: '5m',
    severity: 'ticket',
    summary: '{{ $labels.service }} has parked outbox events',
    description:
      'Outbox events of {{ $labels.service }} ({{ $labels.namespace }}) were refused by the broker or ran out of attempts and are parked: nobody receives them until staff fix the cause and retry them.',
    runbook: 'outbox-events-parked',
    cases: [
      {
        name: 'fires while an event stays parked',
        fires: true,
        at: '10m',
        series: [
          {
            series: `${m.outboxParkedEvents.prometheusName}${selector({ ...NS, service: 'offer' })}`,
            values: '0 0 1+0x8',
          },
        ],
        labels: { ...NS, service: 'offer' },
      },
      {
        name: 'stays quiet when nothing is parked',
        fires: false,
        at: '10m',
        series: [
          {
            series: `${m.outboxParkedEvents.prometheusName}${selector({ ...NS, service: 'offer' })}`,
            values: '0+0x10',
          },
        ],
      },
    ],
  },
  {
    alert: 'OutboxPublishFailing',
    expr: `sum by (namespace, service) (rate(${m.outboxPublishFailures.prometheusName}{reason="sink"}[5m])) > 0`,
    for: '15m',
    severity: 'ticket',
    summary: 'The outbox relay of {{ $labels.service }} keeps failing to reach the broker',
    description:
      'Publishing outbox events of {{ $labels.service }} ({{ $labels.namespace }}) to the broker has failed for 15 minutes: the relay retries with backoff, the backlog grows.',
    runbook: 'outbox-publish-failing',
    cases: [
      {
        name: 'fires when every minute has failures for a quarter of an hour',
        fires: true,
        at: '25m',
        series: [
          {
            series: `${m.outboxPublishFailures.prometheusName}${selector({ ...NS, service: 'cart', reason: 'sink' })}`,
            values: counterValues([{ minutes: 25, perMinute: 2 }]),
          },
        ],
        labels: { ...NS, service: 'cart' },
      },
      {
        name: 'stays quiet after a short broker restart',
        fires: false,
        at: '30m',
        series: [
          {
            series: `${m.outboxPublishFailures.prometheusName}${selector({ ...NS, service: 'cart', reason: 'sink' })}`,
            values: counterValues([
              { minutes: 5, perMinute: 2 },
              { minutes: 25, perMinute: 0 },
            ]),
          },
        ],
      },
    ],
  },
  {
    alert: 'KafkaConsumerLagHigh',
    expr: `max by (namespace, messaging_consumer_group_name, messaging_destination_name) (${m.kafkaConsumerLag.prometheusName}) > 1000`,
    for: '10m',
    severity: 'ticket',
    summary:
      'Consumer group {{ $labels.messaging_consumer_group_name }} lags on {{ $labels.messaging_destination_name }}',
    description:
      'Consumer group {{ $labels.messaging_consumer_group_name }} ({{ $labels.namespace }}) has more than 1000 uncommitted records on {{ $labels.messaging_destination_name }} for 10 minutes: its subscriber is slow or failing and events arrive late.',
    runbook: 'kafka-consumer-lag-high',
    cases: [
      {
        name: 'fires when the lag stays in the thousands',
        fires: true,
        at: '20m',
        series: [
          {
            series: `${m.kafkaConsumerLag.prometheusName}${selector({ ...NS, service: 'broker', messaging_consumer_group_name: 'knative-trigger-shop-cart-on-payment-events', messaging_destination_name: 'knative-broker-shop-default' })}`,
            values: '0+500x20',
          },
        ],
        labels: {
          ...NS,
          messaging_consumer_group_name: 'knative-trigger-shop-cart-on-payment-events',
          messaging_destination_name: 'knative-broker-shop-default',
        },
      },
      {
        name: 'stays quiet for a burst the consumer catches up with',
        fires: false,
        at: '20m',
        series: [
          {
            series: `${m.kafkaConsumerLag.prometheusName}${selector({ ...NS, service: 'broker', messaging_consumer_group_name: 'knative-trigger-shop-cart-on-payment-events', messaging_destination_name: 'knative-broker-shop-default' })}`,
            values: '0 0 5000 3000 800 20 0+0x15',
          },
        ],
      },
    ],
  },
  {
    alert: 'EventConsumeFailures',
    expr: `sum by (namespace, service, cloudevents_event_type) (rate(${m.messagingProcessDuration.prometheusName}_count{error_type!=""}[10m]))\n/\nsum by (namespace, service, cloudevents_event_type) (rate(${m.messagingProcessDuration.prometheusName}_count[10m]))\n> 0.05`,
    for: '10m',
    severity: 'ticket',
    summary: '{{ $labels.service }} fails to handle {{ $labels.cloudevents_event_type }}',
    description:
      'More than 5 % of the {{ $labels.cloudevents_event_type }} events delivered to {{ $labels.service }} ({{ $labels.namespace }}) failed for 10 minutes; the broker retries them and dead-letters what still fails.',
    runbook: 'event-consume-failures',
    cases: [
      {
        name: 'fires when a fifth of the deliveries fail',
        fires: true,
        at: '25m',
        series: consumeSeries(0.2),
        labels: { ...NS, service: 'cart', cloudevents_event_type: 'shop.payment.succeeded' },
      },
      {
        name: 'stays quiet at one failure in a hundred',
        fires: false,
        at: '25m',
        series: consumeSeries(0.01),
      },
    ],
  },
];

function consumeSeries(failed: number): InputSeries[] {
  const base = { ...NS, service: 'cart', cloudevents_event_type: 'shop.payment.succeeded' };
  const name = `${m.messagingProcessDuration.prometheusName}_count`;
  return [
    {
      series: `${name}${selector(base)}`,
      values: counterValues([{ minutes: 25, perMinute: 100 * (1 - failed) }]),
    },
    {
      series: `${name}${selector({ ...base, error_type: 'failed' })}`,
      values: counterValues([{ minutes: 25, perMinute: 100 * failed }]),
    },
  ];
}
