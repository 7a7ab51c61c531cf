// The telemetry contract (issue 11 point 6): the checkout story run against the built functions,
// each a process of its own with the tracing preload as in the cluster (`npm run dev` with
// DEV_PROCESSES=true), exporting to an in-process OTLP receiver. One trace runs from the
// gateway through cart, offer, the payment provider, conversion-webhook and the broker to cart's
// consumer; the metrics the catalog promises exist with their exact names and within their label
// budgets; every request's log line carries its trace id. Embedded storage and broker in
// `npm test`; on real Kafka in `test:integration`.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  formatTrace,
  type OtlpReceiver,
  type ReceivedSpan,
  startOtlpReceiver,
} from '@shop/scripts/otlp-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LabelDefinition,
  METRIC_LABELS,
  metricCatalog,
} from '../../functions/shared/src/telemetry/metric-catalog.js';
import { platformFunctions } from '../../scripts/src/observability/index.js';
import { address, freePorts, PASSWORD } from './testing/shopper.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/**
 * Every function `npm run dev` starts, and those that publish (an outbox) and consume (a
 * receiver) by the event catalog, as the observability generator knows them.
 */
const { functions: FUNCTIONS, producers: PRODUCERS, consumers: CONSUMERS } = platformFunctions();

let otlp: OtlpReceiver;
let platform: ChildProcess | undefined;
const ports: Record<string, number> = {};
const lines: string[] = [];
let platformExit: Promise<void> = Promise.resolve();

const url = (name: string) => `http://127.0.0.1:${ports[name]}`;

beforeAll(async () => {
  // The contract holds for what is deployed: the compiled functions, not their sources.
  execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  otlp = await startOtlpReceiver();
  const names = [...FUNCTIONS, 'broker', 'simulator', 'gatewayOps'];
  const free = await freePorts(names.length);
  names.forEach((name, i) => {
    ports[name] = free[i] as number;
  });
  const env: Record<string, string | undefined> = {
    ...process.env,
    // Storage embedded in every mode (each process its own); Kafka when the run has it.
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    DEV_PROCESSES: 'true',
    DEV_PROMETHEUS: 'false',
    SEED_DEMO_DATA: 'true',
    LOG_LEVEL: 'info',
    BROKER_PORT: String(ports.broker),
    SIMULATOR_PORT: String(ports.simulator),
    OPS_PORT: String(ports.gatewayOps),
    PAYMENT_PROVIDER_URL: url('simulator'),
    SIMULATOR_WEBHOOK_URL: `${url('api-gateway')}/webhooks/payments/stripe`,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_TRACES_SAMPLER_ARG: '1',
    OTEL_SERVICE_NAME: 'dev-platform',
  };
  for (const name of FUNCTIONS) {
    env[`${name.toUpperCase().replaceAll('-', '_')}_URL`] = url(name);
  }
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      '--import',
      '@shop/shared/telemetry/preload',
      'scripts/src/dev.ts',
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  platform = child;
  platformExit = new Promise((resolve) => child.once('exit', () => resolve()));
  let started: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const split = (rest + chunk).split('\n');
      rest = split.pop() ?? '';
      for (const line of split) {
        lines.push(line);
        if (line.includes('Shop platform is running')) started();
      }
    });
  }
  await Promise.race([
    ready,
    platformExit.then(() => {
      throw new Error(`the platform exited before it was ready:\n${lines.join('\n')}`);
    }),
  ]);
}, 600_000);

afterAll(async () => {
  if (process.env.TELEMETRY_DUMP) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      process.env.TELEMETRY_DUMP,
      JSON.stringify({ spans: otlp.spans(), lines }, null, 1),
    );
  }
  platform?.kill('SIGTERM');
  await platformExit;
  await otlp?.close();
}, 60_000);

interface Answer {
  status: number;
  body: Record<string, unknown>;
  requestId: string | null;
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(`${url('api-gateway')}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    requestId: res.headers.get('x-request-id'),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** The ancestors of `span` within `spans`, nearest first. */
function ancestors(span: ReceivedSpan, spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  let parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
  while (parent) {
    chain.push(parent);
    parent = parent.parentSpanId ? byId.get(parent.parentSpanId) : undefined;
  }
  return chain;
}

const QUERY_MARKER = `marker${crypto.randomUUID().replaceAll('-', '')}`;
let email = '';
let accessToken = '';

describe('telemetry of the checkout story, from the built functions', () => {
  let checkoutTrace: ReceivedSpan[] = [];
  let checkoutRequestId = '';

  it('runs the story: sign up, add to cart, check out, the provider pays, the order is paid', async () => {
    email = `otel-${crypto.randomUUID()}@example.com`;
    expect(
      (
        await call('POST', '/api/auth/signup', {
          body: { email, password: PASSWORD, name: 'Otel' },
        })
      ).status,
    ).toBe(201);
    const login = await call('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    const token = String(login.body.accessToken);
    accessToken = token;
    // A value in a query string (a reset token, a search) must not reach any span.
    await call('GET', `/api/offers?limit=1&q=${QUERY_MARKER}`);
    const offers = await call('GET', '/api/offers?limit=20');
    const items = (offers.body.items ?? []) as { id: string; stock?: { available?: number } }[];
    const product = items[0];
    expect(product).toBeDefined();
    expect(
      (
        await call('POST', '/api/cart/items', {
          token,
          body: { productId: product?.id, quantity: 1 },
        })
      ).status,
    ).toBe(200);
    const checkout = await call('POST', '/api/cart/checkout', {
      token,
      headers: { 'idempotency-key': crypto.randomUUID() },
      body: { shippingAddress: address },
    });
    expect(checkout.status).toBe(201);
    checkoutRequestId = String(checkout.requestId);
    const { order, payment } = checkout.body as {
      order: { id: string };
      payment: { providerPaymentId: string };
    };
    const confirm = await fetch(
      `${url('simulator')}/v1/payment_intents/${payment.providerPaymentId}/confirm`,
      {
        method: 'POST',
        headers: { authorization: 'Bearer sk_test_simulator', 'content-type': 'application/json' },
        body: '{}',
      },
    );
    expect(confirm.status).toBe(200);
    await until('the order to be paid', async () => {
      const res = await call('GET', `/api/cart/orders/${order.id}`, { token });
      return res.body.status === 'paid' ? res : undefined;
    });
    // Spans arrive from each process's exporter (every 100 ms): wait for the consumer's span,
    // then until the trace has no span whose parent is still to come and stops growing.
    let seen = -1;
    checkoutTrace = await until('the whole trace of the checkout', async () => {
      const [traceId] = otlp.tracesOfRequest(checkoutRequestId);
      if (!traceId) return undefined;
      const spans = otlp.trace(traceId);
      const ids = new Set(spans.map((s) => s.spanId));
      const complete =
        spans.some((s) => s.service === 'cart' && s.name === 'process shop.payment.succeeded') &&
        spans.every((s) => !s.parentSpanId || ids.has(s.parentSpanId));
      const stable = spans.length === seen;
      seen = spans.length;
      return complete && stable ? spans : undefined;
    });
  });

  it('is one trace from the gateway through cart, offer, the provider, the webhook and the broker to cart’s consumer', () => {
    const trace = checkoutTrace;
    const tree = formatTrace(trace);
    const services = new Set(trace.map((s) => s.service));
    for (const service of ['api-gateway', 'cart', 'offer', 'conversion-webhook', 'dev-platform']) {
      expect(services, tree).toContain(service);
    }
    const find = (service: string, predicate: (s: ReceivedSpan) => boolean) => {
      const span = trace.find((s) => s.service === service && predicate(s));
      expect(span, `${service} span missing in\n${tree}`).toBeDefined();
      return span as ReceivedSpan;
    };
    const root = find('api-gateway', (s) => s.kind === 'server' && !s.parentSpanId);
    expect(root.attributes['shop.request_id']).toBe(checkoutRequestId);
    const cartCheckout = find(
      'cart',
      (s) => s.kind === 'server' && s.attributes['http.route'] === '/api/cart/checkout',
    );
    expect(cartCheckout.name).toBe('POST /api/cart/checkout');
    find('offer', (s) => s.kind === 'server');
    const providerCall = find(
      'cart',
      (s) =>
        s.kind === 'client' && String(s.attributes['url.full']).includes('/v1/payment_intents'),
    );
    const providerServer = find(
      'dev-platform',
      (s) => s.kind === 'server' && s.parentSpanId === providerCall.spanId,
    );
    expect(providerServer.name).toBe('POST /v1/payment_intents');
    const webhook = find('conversion-webhook', (s) => s.kind === 'server');
    const publish = find(
      'conversion-webhook',
      (s) => s.kind === 'producer' && s.name === 'publish shop.payment.succeeded',
    );
    const ingress = find(
      'dev-platform',
      (s) => s.name === 'ingress shop/default' && ancestors(s, trace).includes(publish),
    );
    // shop.payment.succeeded goes to cart and to attribution, each by its own Trigger: cart's.
    const deliver = find(
      'dev-platform',
      (s) =>
        s.name === 'deliver shop/cart-on-payment-events' && ancestors(s, trace).includes(ingress),
    );
    const consumer = find('cart', (s) => s.name === 'process shop.payment.succeeded');
    expect(consumer.kind).toBe('consumer');
    // Parent/child all the way: consumer ← its /events server span ← the broker's delivery ←
    // the ingress ← the relay's publish ← the webhook request ← the provider ← the checkout.
    const chain = ancestors(consumer, trace);
    for (const hop of [deliver, ingress, publish, webhook, providerServer, cartCheckout, root]) {
      expect(chain, tree).toContain(hop);
    }
    expect(chain.at(-1)).toBe(root);
    // Nothing orphaned: every span's parent is in the trace.
    const ids = new Set(trace.map((s) => s.spanId));
    const orphans = trace.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId));
    expect(
      orphans.map((s) => `${s.service} ${s.name}`),
      tree,
    ).toEqual([]);
    // Resource attributes: the Knative Service name on every span of a function.
    expect(consumer.resource['service.name']).toBe('cart');
    expect(consumer.resource['faas.name']).toBe('cart');
  });

  it('puts no secret or personal data in any span: no password, token, email or query value', () => {
    const exported = JSON.stringify(otlp.spans().map((span) => span.attributes));
    expect(exported).toContain('/api/offers'); // the spans are there
    for (const secret of [PASSWORD, accessToken, email, QUERY_MARKER]) {
      expect(secret.length).toBeGreaterThan(8);
      expect(exported.includes(secret), `a span holds ${secret.slice(0, 12)}…`).toBe(false);
    }
  });

  it('has every metric the catalog promises, by its exact name, within its label budget', async () => {
    const scrape = async (base: string) => (await fetch(`${base}/metrics`)).text();
    const texts: Record<string, string> = {};
    for (const name of FUNCTIONS) {
      texts[name] = await scrape(name === 'api-gateway' ? url('gatewayOps') : url(name));
    }
    texts.broker = await scrape(url('broker'));
    const running = new Set(Object.keys(texts));
    const missing: string[] = [];
    const overBudget: string[] = [];
    for (const [key, metric] of Object.entries(metricCatalog)) {
      const emitters: string[] =
        metric.emittedBy === 'every-function'
          ? [...FUNCTIONS]
          : metric.emittedBy === 'event-producers'
            ? [...PRODUCERS]
            : metric.emittedBy === 'event-consumers'
              ? [...CONSUMERS]
              : metric.emittedBy === 'broker'
                ? ['broker']
                : [...metric.emittedBy.functions];
      for (const emitter of emitters.filter((e) => running.has(e))) {
        // Consumer lag exists where the broker consumes Kafka.
        if (key === 'kafkaConsumerLag' && !process.env.KAFKA_BROKERS) continue;
        const text = texts[emitter] ?? '';
        if (!text.includes(`# TYPE ${metric.prometheusName} ${metric.type}\n`)) {
          missing.push(`${emitter}: ${metric.prometheusName} (${metric.type})`);
          continue;
        }
        const sample =
          metric.type === 'histogram' ? `${metric.prometheusName}_count` : metric.prometheusName;
        const series = text
          .split('\n')
          .filter((line) => /^[a-z_]+[{ ]/.test(line) && line.split(/[{ ]/)[0] === sample);
        if (series.length > metric.maxSeries) {
          overBudget.push(
            `${emitter}: ${metric.prometheusName} has ${series.length} series, budget ${metric.maxSeries}`,
          );
        }
        // Each label within its own bound (and within its closed set, where it has one).
        for (const label of metric.labels) {
          const definition = METRIC_LABELS[label as keyof typeof METRIC_LABELS] as LabelDefinition;
          const values = new Set(
            series
              .map((line) => new RegExp(`[{,]${label}="([^"]*)"`).exec(line)?.[1])
              .filter((value): value is string => value !== undefined),
          );
          if (values.size > definition.maxValues) {
            overBudget.push(
              `${emitter}: ${metric.prometheusName}{${label}} has ${values.size} values`,
            );
          }
          const closed = definition.values;
          const outside = closed ? [...values].filter((value) => !closed.includes(value)) : [];
          if (outside.length > 0) {
            overBudget.push(
              `${emitter}: ${metric.prometheusName}{${label}} has ${outside.join(', ')}`,
            );
          }
        }
      }
    }
    expect(missing).toEqual([]);
    expect(overBudget).toEqual([]);
    // Units are in the names: seconds, never raw paths as routes.
    expect(texts['api-gateway']).toMatch(/http_server_request_duration_seconds_bucket\{/);
    expect(texts.cart).toMatch(/http_route="\/api\/cart\/checkout"/);
    expect(texts.cart).not.toMatch(/http_route="\/api\/cart\/orders\/[0-9a-f-]{36}"/);
  });

  it('writes the trace id on every log line of a request or an event', () => {
    const entries = lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const handling = entries.filter((entry) => entry.request_id || entry.eventId);
    expect(handling.length).toBeGreaterThan(10);
    expect(handling.filter((entry) => typeof entry.trace_id !== 'string')).toEqual([]);
    const requestLines = entries.filter((entry) => entry.msg === 'request');
    const checkoutLines = requestLines.filter((entry) => entry.request_id === checkoutRequestId);
    expect(checkoutLines.length).toBeGreaterThanOrEqual(2); // the gateway's and cart's
    expect(new Set(checkoutLines.map((entry) => entry.trace_id)).size).toBe(1);
    expect(checkoutLines[0]?.trace_id).toBe(checkoutTrace[0]?.traceId);
  });
});
