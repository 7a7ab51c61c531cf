// The payment provider simulator: a Stripe-like API for payment intents and refunds, a pay /
// decline page, and signed webhooks with retries and optional chaos (duplicates, reordering).
// State lives in memory; clock, randomness, fetch and the webhook settings are injected.
import { timingSafeEqual } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { SpanKind } from '@opentelemetry/api';
import {
  contextOf,
  createServiceApp,
  currentTraceparent,
  inSpan,
  type Lifecycle,
  type Logger,
  Problem,
  type ServiceEnv,
  type ServiceMetrics,
  validationProblem,
} from '@shop/shared';
import type { Context } from 'hono';
import { z } from 'zod';
import { PAGE_HEADERS, renderPayPage, renderResultPage } from './pay-page.js';
import { newProviderId, type Random, seededRandom } from './random.js';
import {
  createWebhookSender,
  type Delivery,
  type WebhookConfig,
  type WebhookSender,
} from './webhook-sender.js';

/** The Stripe API version the events claim. */
export const API_VERSION = '2024-06-20';

/** Chaos settings: how badly the webhooks behave. */
export interface ChaosConfig {
  /** Probability (0..1) that an event is delivered twice. */
  duplicateRate: number;
  /** Hold an intent's events for `reorderDelayMs`, then deliver them newest first. */
  reorder: boolean;
  reorderDelayMs: number;
}

export interface SimulatorDeps {
  log: Logger;
  /** The API key clients send as `Authorization: Bearer …`. */
  apiKey: string;
  webhook: WebhookConfig;
  chaos?: Partial<ChaosConfig>;
  /**
   * Base URL of the pay page links, from the simulator's own configuration (or, for a server on
   * port 0, a getter read once it listens): never the Host header a client sent.
   */
  publicUrl: string | (() => string);
  /** Origins a `return_url` may point at (the shop's own); any other is refused with 400. */
  returnUrlOrigins: readonly string[];
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  /** Chaos decisions (default: seeded from a random seed). */
  random?: Random;
  fetch?: typeof fetch;
  lifecycle?: Lifecycle;
  metrics?: ServiceMetrics;
}

export interface LastPaymentError {
  type: 'card_error';
  code: string;
  decline_code: string;
  message: string;
}

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: 'requires_payment_method' | 'succeeded';
  client_secret: string;
  description: string | null;
  metadata: Record<string, string>;
  created: number;
  livemode: false;
  latest_charge: string | null;
  last_payment_error: LastPaymentError | null;
  next_action: {
    type: 'redirect_to_url';
    redirect_to_url: { url: string; return_url: string | null };
  } | null;
}

export interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string;
  status: 'succeeded';
  reason: 'duplicate' | 'fraudulent' | 'requested_by_customer' | null;
  metadata: Record<string, string>;
  created: number;
}

export interface Charge {
  id: string;
  object: 'charge';
  payment_intent: string;
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  currency: string;
  paid: true;
  refunded: boolean;
  status: 'succeeded';
  metadata: Record<string, string>;
  created: number;
  livemode: false;
  /** Newest first, as Stripe lists them. */
  refunds: { object: 'list'; data: Refund[]; has_more: false; total_count: number };
}

export type EventType =
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed'
  | 'charge.refunded';

/** A webhook event in Stripe's shape. */
export interface ProviderEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  type: EventType;
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
  data: { object: PaymentIntent | Charge };
}

/** An event the simulator emitted, its exact body and how its deliveries went. */
export interface SentEvent {
  event: ProviderEvent;
  paymentIntentId: string;
  /** The raw JSON body every delivery sends (and signs). */
  payload: string;
  /** One per delivery; two when the chaos duplicated the event. */
  deliveries: Delivery[];
}

/** Everything the simulator holds, in memory. */
export interface SimulatorState {
  intents: Map<string, PaymentIntent>;
  charges: Map<string, Charge>;
  /** By `<route> <Idempotency-Key>`: the request's fingerprint and the first answer. */
  idempotency: Map<string, { fingerprint: string; response: unknown }>;
  /** In the order emitted (not the order delivered when reordering). */
  events: SentEvent[];
}

export interface Simulator {
  app: OpenAPIHono<ServiceEnv>;
  state: SimulatorState;
  /** Resolves once no delivery is pending or held back (retries included). */
  settled(): Promise<void>;
  /** Cancels held events, waiting retries and in-flight deliveries. */
  stop(): Promise<void>;
}

const ID_PATTERN = /^pi_[A-Za-z0-9]{1,64}$/;
const DECLINED: LastPaymentError = {
  type: 'card_error',
  code: 'card_declined',
  decline_code: 'generic_decline',
  message: 'Your card was declined.',
};

const Metadata = z
  .record(z.string().max(40), z.string().max(500))
  .refine((value) => Object.keys(value).length <= 50, 'at most 50 keys')
  .and(z.object({ orderId: z.uuid() }));

const CreateIntentBody = z.strictObject({
  amount: z.number().int().min(1).max(99_999_999),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code such as "eur"')
    .transform((code) => code.toLowerCase()),
  metadata: Metadata,
  description: z.string().max(1000).optional(),
  /** Where the result page links back to (the shop's order page). */
  return_url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
});

const ConfirmBody = z.strictObject({
  outcome: z.enum(['succeeded', 'failed']).default('succeeded'),
});

const RefundBody = z.strictObject({
  payment_intent: z.string().regex(ID_PATTERN, 'must be a payment intent id (pi_…)'),
  amount: z.number().int().min(1).optional(),
  // Stripe's reasons; its metadata: at most 50 keys, keys ≤ 40 and values ≤ 500 characters.
  reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
  metadata: z
    .record(z.string().min(1).max(40), z.string().max(500))
    .refine((m) => Object.keys(m).length <= 50, 'has at most 50 keys')
    .optional(),
});

const IdempotencyKey = z.string().min(1).max(255);

/**
 * The simulator's app and state.
 * @example const sim = createSimulatorApp({ log, apiKey: 'sk_test_x', webhook }); await sim.app.request('/healthz');
 */
export function createSimulatorApp(deps: SimulatorDeps): Simulator {
  const { log } = deps;
  const now = deps.now ?? Date.now;
  const random = deps.random ?? seededRandom();
  const chaos: ChaosConfig = {
    duplicateRate: deps.chaos?.duplicateRate ?? 0,
    reorder: deps.chaos?.reorder ?? false,
    reorderDelayMs: deps.chaos?.reorderDelayMs ?? 1_000,
  };
  const sender: WebhookSender = createWebhookSender({
    config: deps.webhook,
    log,
    now,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const state: SimulatorState = {
    intents: new Map(),
    charges: new Map(),
    idempotency: new Map(),
    events: [],
  };
  const pending = new Set<Promise<void>>();
  const returnUrls = new Map<string, string>();
  /** The W3C traceparent of the request that created each intent. */
  const traceOfIntent = new Map<string, string>();
  const held = new Map<
    string,
    { events: SentEvent[]; timer: NodeJS.Timeout; release: () => void }
  >();
  const seconds = () => Math.floor(now() / 1000);

  function track(work: Promise<void>): void {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  }

  function send(sent: SentEvent): void {
    const copies = random() < chaos.duplicateRate ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const delivery: Delivery = { status: 'pending', attempts: [] };
      sent.deliveries.push(delivery);
      // Unlike a real provider, the simulator continues the trace of the request that created
      // the intent (the shop's checkout), so a story from checkout to paid order is one trace.
      const delivering = inSpan(
        `webhook ${sent.event.type}`,
        {
          kind: SpanKind.PRODUCER,
          parent: contextOf(traceOfIntent.get(sent.paymentIntentId)),
          attributes: { 'shop.provider_event_id': sent.event.id },
        },
        () => sender.deliver(sent.event.id, sent.payload, delivery),
      );
      track(
        delivering.catch((error: unknown) => {
          log.error({ err: error, eventId: sent.event.id }, 'webhook delivery crashed');
        }),
      );
    }
  }

  function flushHeld(intentId: string): void {
    const batch = held.get(intentId);
    if (!batch) return;
    held.delete(intentId);
    for (const sent of batch.events.reverse()) send(sent);
  }

  function emit(type: EventType, paymentIntentId: string, object: PaymentIntent | Charge): void {
    const event: ProviderEvent = {
      id: newProviderId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: seconds(),
      type,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      // A snapshot: later changes to the intent do not alter a sent event.
      data: { object: structuredClone(object) },
    };
    const sent: SentEvent = {
      event,
      paymentIntentId,
      payload: JSON.stringify(event),
      deliveries: [],
    };
    state.events.push(sent);
    log.info({ eventId: event.id, type, paymentIntentId }, 'event emitted');
    if (!chaos.reorder) {
      send(sent);
      return;
    }
    const batch = held.get(paymentIntentId);
    if (batch) {
      batch.events.push(sent);
      return;
    }
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const timer = setTimeout(() => {
      flushHeld(paymentIntentId);
      release();
    }, chaos.reorderDelayMs);
    held.set(paymentIntentId, { events: [sent], timer, release });
    track(released);
  }

  function findIntent(id: string): PaymentIntent {
    const intent = ID_PATTERN.test(id) ? state.intents.get(id) : undefined;
    if (!intent) {
      throw new Problem(404, `No such payment_intent: ${JSON.stringify(id)}.`, {
        code: 'resource_missing',
      });
    }
    return intent;
  }

  function confirm(intent: PaymentIntent, outcome: 'succeeded' | 'failed'): PaymentIntent {
    if (intent.status !== 'requires_payment_method') {
      throw new Problem(
        409,
        `This PaymentIntent's status is ${intent.status}; it cannot be confirmed again.`,
        { code: 'payment_intent_unexpected_state' },
      );
    }
    if (outcome === 'failed') {
      intent.last_payment_error = DECLINED;
      emit('payment_intent.payment_failed', intent.id, intent);
      return intent;
    }
    const charge: Charge = {
      id: newProviderId('ch'),
      object: 'charge',
      payment_intent: intent.id,
      amount: intent.amount,
      amount_captured: intent.amount,
      amount_refunded: 0,
      currency: intent.currency,
      paid: true,
      refunded: false,
      status: 'succeeded',
      metadata: { ...intent.metadata },
      created: seconds(),
      livemode: false,
      refunds: { object: 'list', data: [], has_more: false, total_count: 0 },
    };
    state.charges.set(charge.id, charge);
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.latest_charge = charge.id;
    intent.last_payment_error = null;
    intent.next_action = null;
    emit('payment_intent.succeeded', intent.id, intent);
    return intent;
  }

  function refund(body: z.infer<typeof RefundBody>): Refund {
    const intent = findIntent(body.payment_intent);
    const charge = intent.latest_charge ? state.charges.get(intent.latest_charge) : undefined;
    if (intent.status !== 'succeeded' || !charge) {
      throw new Problem(409, `PaymentIntent ${intent.id} has no successful charge to refund.`, {
        code: 'charge_not_refundable',
      });
    }
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining === 0) {
      throw new Problem(409, `Charge ${charge.id} has already been refunded.`, {
        code: 'charge_already_refunded',
      });
    }
    const amount = body.amount ?? remaining;
    if (amount > remaining) {
      throw new Problem(
        400,
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining}).`,
        {
          code: 'amount_too_large',
        },
      );
    }
    const created: Refund = {
      id: newProviderId('re'),
      object: 'refund',
      amount,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: intent.id,
      status: 'succeeded',
      reason: body.reason ?? null,
      metadata: body.metadata ?? {},
      created: seconds(),
    };
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    charge.refunds.data.unshift(created);
    charge.refunds.total_count += 1;
    emit('charge.refunded', intent.id, charge);
    return created;
  }

  const app = createServiceApp({
    service: 'payment-simulator',
    log,
    // The stand-in provider has no users; its pages are opened by whoever holds the link.
    verifyToken: null,
    ...(deps.lifecycle ? { lifecycle: deps.lifecycle } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });

  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer (\S+)$/i.exec(header);
    if (!match?.[1] || !sameSecret(match[1], deps.apiKey)) {
      throw new Problem(
        401,
        'Send the API key as "Authorization: Bearer <key>".',
        {},
        {
          'www-authenticate': 'Bearer realm="payment-simulator"',
        },
      );
    }
    await next();
  });

  // POST /v1/payment_intents — create an intent; Idempotency-Key replays the first answer
  app.post('/v1/payment_intents', async (c) => {
    const body = parse(CreateIntentBody, await readJson(c), 'body');
    if (body.return_url && !deps.returnUrlOrigins.includes(new URL(body.return_url).origin)) {
      throw new Problem(400, 'return_url must point at the shop (SIMULATOR_RETURN_URL_ORIGINS).', {
        errors: [{ name: 'body.return_url', reason: 'origin not allowed' }],
      });
    }
    return c.json(
      idempotent(c, 'create-intent', body, () => {
        const id = newProviderId('pi');
        const base = typeof deps.publicUrl === 'function' ? deps.publicUrl() : deps.publicUrl;
        const intent: PaymentIntent = {
          id,
          object: 'payment_intent',
          amount: body.amount,
          amount_received: 0,
          currency: body.currency,
          status: 'requires_payment_method',
          client_secret: `${id}_secret_${newProviderId('x', 25).slice(2)}`,
          description: body.description ?? null,
          metadata: { ...body.metadata },
          created: seconds(),
          livemode: false,
          latest_charge: null,
          last_payment_error: null,
          next_action: {
            type: 'redirect_to_url',
            redirect_to_url: {
              url: `${base.replace(/\/+$/, '')}/pay/${id}`,
              return_url: body.return_url ?? null,
            },
          },
        };
        state.intents.set(id, intent);
        const traceparent = currentTraceparent();
        if (traceparent) traceOfIntent.set(id, traceparent);
        if (body.return_url) returnUrls.set(id, body.return_url);
        log.info({ paymentIntentId: id, orderId: body.metadata.orderId }, 'payment intent created');
        return intent;
      }),
      200,
    );
  });

  // GET /v1/payment_intents/:id — the intent as it is now
  app.get('/v1/payment_intents/:id', (c) => c.json(findIntent(c.req.param('id')), 200));

  // POST /v1/payment_intents/:id/confirm — pay (or fail, with outcome "failed") without the page
  app.post('/v1/payment_intents/:id/confirm', async (c) => {
    const intent = findIntent(c.req.param('id'));
    const { outcome } = parse(ConfirmBody, await readJson(c), 'body');
    return c.json(confirm(intent, outcome), 200);
  });

  // POST /v1/refunds — refund all or part of a paid intent
  app.post('/v1/refunds', async (c) => {
    const body = parse(RefundBody, await readJson(c), 'body');
    return c.json(
      idempotent(c, 'create-refund', body, () => refund(body)),
      200,
    );
  });

  // GET /v1/events — the events sent, with every delivery attempt (tests and debugging)
  app.get('/v1/events', (c) => {
    const intentId = c.req.query('payment_intent');
    const data = state.events
      .filter((sent) => intentId === undefined || sent.paymentIntentId === intentId)
      .map((sent) => ({
        id: sent.event.id,
        type: sent.event.type,
        created: sent.event.created,
        payment_intent: sent.paymentIntentId,
        deliveries: sent.deliveries,
        event: sent.event,
      }));
    return c.json({ object: 'list', data, has_more: false }, 200);
  });

  // GET /pay/:id — the pay / decline page
  app.get('/pay/:id', (c) => {
    const intent = ID_PATTERN.test(c.req.param('id'))
      ? state.intents.get(c.req.param('id'))
      : undefined;
    if (!intent) return notFoundPage(c);
    return c.body(
      renderPayPage({
        id: intent.id,
        amount: intent.amount,
        currency: intent.currency,
        status: intent.status,
        description: intent.description,
        lastError: intent.last_payment_error?.message,
        returnUrl: returnUrls.get(intent.id),
      }),
      200,
      PAGE_HEADERS,
    );
  });

  // POST /pay/:id/confirm and /pay/:id/decline — the page's forms
  for (const [action, outcome] of [
    ['confirm', 'succeeded'],
    ['decline', 'failed'],
  ] as const) {
    app.post(`/pay/:id/${action}`, (c) => {
      const intent = ID_PATTERN.test(c.req.param('id'))
        ? state.intents.get(c.req.param('id'))
        : undefined;
      if (!intent) return notFoundPage(c);
      const back = returnUrls.get(intent.id);
      if (intent.status !== 'requires_payment_method') {
        return c.body(
          renderResultPage('Already paid', 'This payment is already complete.', back),
          409,
          PAGE_HEADERS,
        );
      }
      confirm(intent, outcome);
      return outcome === 'succeeded'
        ? c.body(
            renderResultPage('Payment received', 'Thank you, your payment went through.', back),
            200,
            PAGE_HEADERS,
          )
        : c.body(
            renderResultPage(
              'Payment declined',
              'Your card was declined. No money was taken.',
              back,
            ),
            200,
            PAGE_HEADERS,
          );
    });
  }

  function idempotent<T>(c: Context, route: string, body: unknown, create: () => T): T {
    const rawKey = c.req.header('idempotency-key');
    if (rawKey === undefined) return create();
    const key = parse(IdempotencyKey, rawKey, 'header');
    const fingerprint = canonicalJson(body);
    const slot = `${route} ${key}`;
    const previous = state.idempotency.get(slot);
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        throw new Problem(422, 'This Idempotency-Key was already used with other parameters.', {
          code: 'idempotency_key_in_use',
        });
      }
      c.header('idempotent-replayed', 'true');
      return previous.response as T;
    }
    const response = create();
    // The first answer as it was (like Stripe), not the object's later state.
    state.idempotency.set(slot, { fingerprint, response: structuredClone(response) });
    return response;
  }

  return {
    app,
    state,
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async stop() {
      for (const [, batch] of held) {
        clearTimeout(batch.timer);
        batch.release();
      }
      held.clear();
      sender.stop();
      await Promise.allSettled([...pending]);
    },
  };
}

function notFoundPage(c: Context): Response {
  return c.body(
    renderResultPage('Payment not found', 'There is no payment at this address.'),
    404,
    PAGE_HEADERS,
  );
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new Problem(400, 'The request body is not valid JSON.', {
      type: 'https://shop.example/problems/validation',
      title: 'Invalid request',
    });
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(result.error, where);
  return result.data;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
