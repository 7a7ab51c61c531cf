// Signing webhook payloads the way Stripe and Standard Webhooks senders do: for the payment
// provider simulator and for tests. The verifiers in src/domain check what these produce.
import { createHmac } from 'node:crypto';

/**
 * The `Stripe-Signature` header for a raw payload: `t=<unix s>,v1=<hex HMAC-SHA256 of
 * "<t>.<payload>">`, one `v1` per secret (Stripe sends several while a secret is rolled). The
 * secret (`whsec_…`) is the HMAC key as-is, as in Stripe's own libraries.
 * @example signStripePayload('{"id":"evt_1"}', ['whsec_x'], 1_700_000_000) // 't=1700000000,v1=…'
 */
export function signStripePayload(
  payload: string,
  secrets: readonly string[],
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): string {
  if (secrets.length === 0) throw new Error('signStripePayload needs at least one secret');
  const signatures = secrets.map(
    (secret) => `v1=${stripeSignature(payload, secret, timestampSeconds)}`,
  );
  return [`t=${timestampSeconds}`, ...signatures].join(',');
}

/** The hex HMAC-SHA256 of `<t>.<payload>` with a Stripe endpoint secret. */
export function stripeSignature(
  payload: string | Uint8Array,
  secret: string,
  timestampSeconds: number,
): string {
  return createHmac('sha256', secret)
    .update(`${timestampSeconds}.`, 'utf8')
    .update(payload)
    .digest('hex');
}

/** The headers of a Standard Webhooks delivery (https://www.standardwebhooks.com). */
export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The HMAC key of a Standard Webhooks secret: the base64-decoded part after `whsec_`.
 * @example standardWebhookKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') // 24 bytes
 */
export function standardWebhookKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new Error('a Standard Webhooks secret is "whsec_" followed by base64');
  }
  return Buffer.from(encoded, 'base64');
}

/** The base64 HMAC-SHA256 of `<id>.<timestamp>.<payload>` with a Standard Webhooks secret. */
export function standardSignature(
  messageId: string,
  payload: string | Uint8Array,
  secret: string,
  timestampSeconds: number,
): string {
  return createHmac('sha256', standardWebhookKey(secret))
    .update(`${messageId}.${timestampSeconds}.`, 'utf8')
    .update(payload)
    .digest('base64');
}

/**
 * Standard Webhooks headers for a raw payload: `webhook-signature` is a space-separated list of
 * `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<payload>">`, one per secret.
 * @example signStandardPayload('evt_1', '{"id":"evt_1"}', ['whsec_…'], 1_700_000_000)
 */
export function signStandardPayload(
  messageId: string,
  payload: string,
  secrets: readonly string[],
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): StandardWebhookHeaders {
  if (secrets.length === 0) throw new Error('signStandardPayload needs at least one secret');
  const signatures = secrets.map(
    (secret) => `v1,${standardSignature(messageId, payload, secret, timestampSeconds)}`,
  );
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}
