// Webhook signatures the simulator sends, self-contained on node:crypto so the verifier in
// functions/conversion-webhook can be checked against the official `stripe` and
// `standardwebhooks` packages without sharing code with it.
import { createHmac } from 'node:crypto';

/**
 * The `Stripe-Signature` header for a raw payload: `t=<unix s>,v1=<hex HMAC-SHA256 of
 * "<t>.<payload>">`, one `v1` per secret (Stripe sends several while a secret is rolled).
 * The secret (`whsec_…`) is the HMAC key as-is, as in Stripe's own libraries.
 * @example signStripePayload('{"id":"evt_1"}', ['whsec_x'], 1_700_000_000) // 't=1700000000,v1=…'
 */
export function signStripePayload(
  payload: string,
  secrets: readonly string[],
  timestampSeconds: number,
): string {
  if (secrets.length === 0) throw new Error('signStripePayload needs at least one secret');
  const signed = `${timestampSeconds}.${payload}`;
  const signatures = secrets.map(
    (secret) => `v1=${createHmac('sha256', secret).update(signed, 'utf8').digest('hex')}`,
  );
  return [`t=${timestampSeconds}`, ...signatures].join(',');
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

/**
 * Standard Webhooks headers for a raw payload: `webhook-signature` is a space-separated list of
 * `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<payload>">`, one per secret.
 * @example signStandardPayload('evt_1', '{"id":"evt_1"}', ['whsec_…'], 1_700_000_000)
 */
export function signStandardPayload(
  messageId: string,
  payload: string,
  secrets: readonly string[],
  timestampSeconds: number,
): StandardWebhookHeaders {
  if (secrets.length === 0) throw new Error('signStandardPayload needs at least one secret');
  const signed = `${messageId}.${timestampSeconds}.${payload}`;
  const signatures = secrets.map(
    (secret) =>
      `v1,${createHmac('sha256', standardWebhookKey(secret)).update(signed, 'utf8').digest('base64')}`,
  );
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}
