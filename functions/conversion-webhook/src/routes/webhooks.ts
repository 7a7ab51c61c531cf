// POST /webhooks/payments/stripe and /webhooks/payments/standard — signed payment events from
// the providers: verified over the raw body, stored once, answered fast.
import { type Database, Problem, type ServiceEnv } from '@shop/shared';
import type { Context, Hono } from 'hono';
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
}

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

/** Registers both provider endpoints. */
export function registerWebhookRoutes(app: Hono<ServiceEnv>, deps: WebhookRouteDeps): void {
  app.post('/webhooks/payments/stripe', (c) =>
    receive(c, deps, 'stripe', deps.stripeSecrets, (body, options) =>
      verifyStripeSignature(body, c.req.header('stripe-signature'), options),
    ),
  );
  app.post('/webhooks/payments/standard', (c) =>
    receive(c, deps, 'standard', deps.standardSecrets, (body, options) =>
      verifyStandardSignature(
        body,
        {
          id: c.req.header('webhook-id'),
          timestamp: c.req.header('webhook-timestamp'),
          signature: c.req.header('webhook-signature'),
        },
        options,
      ),
    ),
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function receive(
  c: Context<ServiceEnv>,
  deps: WebhookRouteDeps,
  provider: Provider,
  secrets: readonly string[],
  verify: (body: Uint8Array, options: VerifyOptions) => SignatureCheck,
): Promise<Response> {
  try {
    const outcome = await handle(c, deps, provider, secrets, verify);
    deps.countDelivery(provider, outcome);
    return c.json({ received: true }, 200);
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
  if (!eventId || eventId.length > 255) {
    throw new OutcomeProblem(
      'invalid_payload',
      400,
      'The event needs an id of at most 255 characters.',
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
  if (result.events > 0) deps.onEventsRecorded();
  return result.status;
}
