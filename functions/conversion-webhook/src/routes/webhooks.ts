// POST /webhooks/payments/stripe and /webhooks/payments/standard — signed payment events from
// the providers: verified over the raw body, stored once, answered fast.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  type Database,
  isCleanText,
  Problem,
  problemResponses,
  type ServiceEnv,
  text,
} from '@shop/shared';
import type { Context } from 'hono';
import {
  envelopeSchema,
  occurredAt,
  type Provider,
  readProviderEvent,
} from '../domain/read-provider-event.js';
import {
  type SignatureCheck,
  type VerifyOptions,
  verifyStandardSignature,
  verifyStripeSignature,
} from '../domain/verify-signature.js';
import { storeDelivery } from '../store.js';

export interface WebhookRouteDeps {
  db: Database;
  clock: () => Date;
  stripeSecrets: readonly string[];
  standardSecrets: readonly string[];
  toleranceSeconds: number;
  onEventsRecorded: () => void;
  /** Counts a delivery's outcome (the `webhook_deliveries_total` metric). */
  countDelivery: (provider: Provider, outcome: DeliveryOutcome) => void;
  /** Counts the payment events a delivery recorded (the `shop_payments_total` metric). */
  countPayments: (provider: Provider, outcome: PaymentOutcome, count: number) => void;
}

/** What a provider reported of a payment. */
export type PaymentOutcome = 'succeeded' | 'failed' | 'refunded';

export type DeliveryOutcome =
  | 'processed'
  | 'ignored'
  | 'unmatched'
  | 'duplicate'
  | 'invalid_signature'
  | 'invalid_payload'
  | 'not_configured';

const INVALID_SIGNATURE = {
  type: 'https://shop.example/problems/invalid-webhook-signature',
  title: 'Invalid webhook signature',
};
const INVALID_PAYLOAD = {
  type: 'https://shop.example/problems/invalid-webhook-payload',
  title: 'Invalid webhook payload',
};

// The body is documented, not validated by the route: the signature covers its exact bytes, so
// the handler reads them raw and verifies them before anything parses them. The document shows
// the envelope the handler checks after verifying, as a component the route only refers to (a
// reference is not a zod schema, so zod-openapi adds no JSON parsing or validation).
const rawEventBody = (description: string) => ({
  required: true,
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ProviderEvent' } } },
});

/** A signature header: documented as required, refused by the handler (400) when missing. */
const signatureHeader = (description: string, example: string) =>
  text({ max: 8192, trim: false })
    .optional()
    .openapi({ param: { required: true }, description, example });

const ReceivedSchema = z.object({ received: z.literal(true) }).openapi('WebhookReceived');

const webhookResponses = {
  200: {
    description: 'Stored (or stored before, or of a type not handled): the provider stops retrying',
    content: { 'application/json': { schema: ReceivedSchema } },
  },
  ...problemResponses({
    400: 'Invalid webhook signature (missing or malformed header, no configured secret signed it, tampered body, timestamp more than the tolerance away), or a payload that is not an event',
    413: 'The body is larger than 512 KiB',
    503: 'This endpoint’s secret is not configured; the provider retries',
  }),
};

const stripeWebhook = createRoute({
  method: 'post',
  path: '/webhooks/payments/stripe',
  tags: ['webhooks'],
  summary:
    'Stripe events (payment_intent.succeeded, payment_intent.payment_failed, charge.refunded)',
  request: {
    headers: z.object({
      'stripe-signature': signatureHeader(
        '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint secret>` (one `v1` per secret while rolling one; `v0` ignored)',
        't=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
      ),
    }),
    body: rawEventBody(
      'A Stripe event, exactly as signed: read as raw bytes and verified before it is parsed',
    ),
  },
  responses: webhookResponses,
});

const standardWebhook = createRoute({
  method: 'post',
  path: '/webhooks/payments/standard',
  tags: ['webhooks'],
  summary: 'The same events signed the Standard Webhooks way',
  request: {
    headers: z.object({
      'webhook-id': signatureHeader(
        'The message id, also its idempotency key (at most 255 characters)',
        'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      ),
      'webhook-timestamp': signatureHeader('Unix seconds of signing', '1700000000'),
      'webhook-signature': signatureHeader(
        'Space-separated `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`, keyed with the base64 part of a `whsec_` secret',
        'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      ),
    }),
    body: rawEventBody(
      'A message in Stripe’s event shape, exactly as signed: read as raw bytes and verified before it is parsed',
    ),
  },
  responses: webhookResponses,
});

// One event of each handled type, as the document shows them (and the fuzz suite starts from).
const PROVIDER_EVENT_EXAMPLES = [
  {
    id: 'evt_3PsucceededA1',
    type: 'payment_intent.succeeded',
    created: 1_764_000_000,
    data: {
      object: {
        id: 'pi_3PsucceededA1',
        object: 'payment_intent',
        amount: 4990,
        amount_received: 4990,
        currency: 'eur',
        metadata: { orderId: '0194a0b2-1111-7222-8333-444455556666' },
      },
    },
  },
  {
    id: 'evt_3PfailedB2',
    type: 'payment_intent.payment_failed',
    created: 1_764_000_000,
    data: {
      object: {
        id: 'pi_3PfailedB2',
        object: 'payment_intent',
        amount: 4990,
        currency: 'eur',
        metadata: { orderId: '0194a0b2-1111-7222-8333-444455556666' },
        last_payment_error: { code: 'card_declined', message: 'Your card was declined.' },
      },
    },
  },
  {
    id: 'evt_3PrefundedC3',
    type: 'charge.refunded',
    created: 1_764_000_000,
    data: {
      object: {
        id: 'ch_3PrefundedC3',
        object: 'charge',
        payment_intent: 'pi_3PsucceededA1',
        amount: 4990,
        amount_refunded: 1000,
        currency: 'eur',
        metadata: { orderId: '0194a0b2-1111-7222-8333-444455556666' },
        refunds: { data: [{ id: 're_3PrefundC3', amount: 1000, created: 1_764_000_100 }] },
      },
      previous_attributes: { amount_refunded: 0 },
    },
  },
];

/** Registers both provider endpoints. */
export function registerWebhookRoutes(app: OpenAPIHono<ServiceEnv>, deps: WebhookRouteDeps): void {
  app.openAPIRegistry.register(
    'ProviderEvent',
    envelopeSchema
      .describe(
        'Stripe’s event envelope: `type`, `data.object` (the payment intent or charge), optional `id` (Standard Webhooks messages use webhook-id) and `created` (unix seconds)',
      )
      .meta({ examples: PROVIDER_EVENT_EXAMPLES }),
  );
  app.openapi(stripeWebhook, async (c) => {
    const signature = c.req.valid('header')['stripe-signature'];
    await receive(c, deps, 'stripe', deps.stripeSecrets, (body, options) =>
      verifyStripeSignature(body, signature, options),
    );
    return c.json({ received: true } as const, 200);
  });
  app.openapi(standardWebhook, async (c) => {
    const headers = c.req.valid('header');
    await receive(c, deps, 'standard', deps.standardSecrets, (body, options) =>
      verifyStandardSignature(
        body,
        {
          id: headers['webhook-id'],
          timestamp: headers['webhook-timestamp'],
          signature: headers['webhook-signature'],
        },
        options,
      ),
    );
    return c.json({ received: true } as const, 200);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Handles one delivery and counts its outcome; a refusal throws its problem. */
async function receive(
  c: Context<ServiceEnv>,
  deps: WebhookRouteDeps,
  provider: Provider,
  secrets: readonly string[],
  verify: (body: Uint8Array, options: VerifyOptions) => SignatureCheck,
): Promise<void> {
  try {
    const outcome = await handle(c, deps, provider, secrets, verify);
    deps.countDelivery(provider, outcome);
  } catch (error) {
    if (error instanceof OutcomeProblem) deps.countDelivery(provider, error.outcome);
    throw error;
  }
}

/** A refusal, with the outcome it counts as. */
class OutcomeProblem extends Problem {
  constructor(
    readonly outcome: DeliveryOutcome,
    status: 400 | 503,
    detail: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(status, detail, extensions);
  }
}

async function handle(
  c: Context<ServiceEnv>,
  deps: WebhookRouteDeps,
  provider: Provider,
  secrets: readonly string[],
  verify: (body: Uint8Array, options: VerifyOptions) => SignatureCheck,
): Promise<DeliveryOutcome> {
  const log = c.get('log');
  if (secrets.length === 0) {
    // Production without the secret: 503 so the provider retries once it is configured.
    log.error({ provider }, 'webhook secret not configured');
    throw new OutcomeProblem('not_configured', 503, `The ${provider} webhook is not configured.`);
  }
  // The signature covers the exact bytes: read them before any parsing.
  const body = new Uint8Array(await c.req.arrayBuffer());
  const now = deps.clock();
  const check = verify(body, {
    secrets,
    toleranceSeconds: deps.toleranceSeconds,
    nowSeconds: Math.floor(now.getTime() / 1000),
  });
  if (!check.ok) {
    log.warn({ provider, reason: check.reason }, 'webhook signature refused');
    throw new OutcomeProblem('invalid_signature', 400, check.reason, INVALID_SIGNATURE);
  }
  let text: string;
  let json: unknown;
  try {
    text = utf8.decode(body);
    json = JSON.parse(text);
  } catch {
    throw new OutcomeProblem(
      'invalid_payload',
      400,
      'The body is not valid UTF-8 JSON.',
      INVALID_PAYLOAD,
    );
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    throw new OutcomeProblem(
      'invalid_payload',
      400,
      'The body is not an event: it needs a type (and data.object).',
      {
        ...INVALID_PAYLOAD,
        errors: envelope.error.issues.map((issue) => ({
          name: ['body', ...issue.path.map(String)].join('.'),
          reason: issue.message,
        })),
      },
    );
  }
  const event = envelope.data;
  // Standard Webhooks: the webhook-id is the idempotency key of a message.
  const eventId = provider === 'standard' ? c.req.header('webhook-id') : event.id;
  if (!eventId || eventId.length > 255 || !isCleanText(eventId)) {
    throw new OutcomeProblem(
      'invalid_payload',
      400,
      'The event needs an id of at most 255 characters, without control characters.',
      INVALID_PAYLOAD,
    );
  }
  const meaning = readProviderEvent(event);
  const result = await storeDelivery(deps.db, {
    provider,
    eventId,
    type: event.type,
    payload: text,
    meaning,
    occurredAt: occurredAt(event, now),
    signedAt: new Date(check.timestamp * 1000),
  });
  const fields = { provider, eventId, type: event.type };
  if (result.duplicate) {
    log.info(fields, 'webhook event already received');
  } else if (result.status === 'unmatched') {
    log.warn({ ...fields, note: result.note }, 'webhook event stored unmatched');
  } else {
    log.info({ ...fields, status: result.status, events: result.events }, 'webhook event stored');
  }
  if (result.duplicate) return 'duplicate';
  if (result.events > 0) {
    // Committed: storeDelivery's transaction is done. Each payment event counts once — a
    // repeated delivery is a duplicate, a refund already recorded wrote no event.
    if (meaning.kind !== 'ignored' && meaning.kind !== 'malformed') {
      deps.countPayments(provider, meaning.kind, result.events);
    }
    deps.onEventsRecorded();
  }
  return result.status;
}
