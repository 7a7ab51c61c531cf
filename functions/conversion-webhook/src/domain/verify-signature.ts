// Webhook signature checks: Stripe's `Stripe-Signature` scheme and Standard Webhooks. Pure
// functions over the raw body; the route answers 400 when they refuse.
import { timingSafeEqual } from 'node:crypto';
import { standardSignature, stripeSignature } from '../sign.js';

/** Why a signature was refused, or that it was accepted. */
export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

export interface VerifyOptions {
  /** The configured secrets; any of them may have signed (rotation). */
  secrets: readonly string[];
  /** Allowed distance between the signed timestamp and now, either way, in seconds. */
  toleranceSeconds: number;
  /** Now, in unix seconds. */
  nowSeconds: number;
}

/** Compares two strings in constant time (different lengths are simply unequal). */
function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function checkTimestamp(timestamp: number, options: VerifyOptions): SignatureCheck {
  if (Math.abs(options.nowSeconds - timestamp) > options.toleranceSeconds) {
    return { ok: false, reason: 'The signature timestamp is outside the tolerance.' };
  }
  return { ok: true, timestamp };
}

const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * Verifies a `Stripe-Signature` header (`t=…,v1=…[,v1=…][,v0=…]`) over the raw body: the hex
 * HMAC-SHA256 of `<t>.<body>` with any configured secret must equal any `v1` (constant-time),
 * and `t` must be within the tolerance of now. Other schemes (`v0`) are ignored.
 * @example verifyStripeSignature(rawBody, header, { secrets: ['whsec_…'], toleranceSeconds: 300, nowSeconds })
 */
export function verifyStripeSignature(
  body: string | Uint8Array,
  header: string | undefined,
  options: VerifyOptions,
): SignatureCheck {
  if (!header) return { ok: false, reason: 'The Stripe-Signature header is missing.' };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const at = item.indexOf('=');
    if (at < 0) continue;
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (key === 't' && UNIX_SECONDS.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value.length > 0) signatures.push(value);
  }
  if (timestamp === undefined) {
    return { ok: false, reason: 'The Stripe-Signature header has no timestamp.' };
  }
  if (signatures.length === 0) {
    return { ok: false, reason: 'The Stripe-Signature header has no v1 signature.' };
  }
  const fresh = checkTimestamp(timestamp, options);
  if (!fresh.ok) return fresh;
  const expected = options.secrets.map((secret) => stripeSignature(body, secret, timestamp));
  const matches = expected.some((mac) => signatures.some((given) => safeEqual(mac, given)));
  return matches
    ? fresh
    : { ok: false, reason: 'No signature matches the payload and a configured secret.' };
}

/** The three headers of a Standard Webhooks delivery, as received (possibly missing). */
export interface StandardHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

/**
 * Verifies Standard Webhooks headers over the raw body: any `v1,<base64>` of the space-separated
 * `webhook-signature` must equal the HMAC-SHA256 of `<id>.<timestamp>.<body>` keyed with the
 * base64-decoded part after `whsec_` of any configured secret; the timestamp must be within the
 * tolerance of now.
 * @example verifyStandardSignature(rawBody, { id, timestamp, signature }, { secrets, toleranceSeconds: 300, nowSeconds })
 */
export function verifyStandardSignature(
  body: string | Uint8Array,
  headers: StandardHeaders,
  options: VerifyOptions,
): SignatureCheck {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) {
    return {
      ok: false,
      reason: 'The webhook-id, webhook-timestamp and webhook-signature headers are required.',
    };
  }
  if (!UNIX_SECONDS.test(timestamp)) {
    return { ok: false, reason: 'The webhook-timestamp header is not a unix timestamp.' };
  }
  const seconds = Number(timestamp);
  const fresh = checkTimestamp(seconds, options);
  if (!fresh.ok) return fresh;
  const given = signature
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => part.slice(3));
  if (given.length === 0) {
    return { ok: false, reason: 'The webhook-signature header has no v1 signature.' };
  }
  const expected = options.secrets.map((secret) => standardSignature(id, body, secret, seconds));
  const matches = expected.some((mac) => given.some((sig) => safeEqual(mac, sig)));
  return matches
    ? fresh
    : { ok: false, reason: 'No signature matches the payload and a configured secret.' };
}
