// What a provider's event means for us: a payment that succeeded, failed or was refunded, an
// event of an understood type we cannot attribute to an order, or one we do not handle.
import { hasControlCharacter, isCleanText, MAX_AMOUNT, type Money, text } from '@shop/shared';
import { z } from 'zod';

export type Provider = 'stripe' | 'standard';

/**
 * A provider's id or type name: 1–255 characters of well-formed text without control characters
 * (stored as text, and sent on in events).
 */
const providerId = () => text({ max: 255, trim: false });

/**
 * The envelope of every payload: Stripe's event shape. `data` is only looked into for the types
 * we handle, so any other event is stored (ignored) whatever its data; Standard Webhooks
 * messages may leave `id` out (the `webhook-id` header names them).
 */
export const envelopeSchema = z.looseObject({
  id: providerId().optional(),
  type: providerId(),
  // Unix seconds, at most the end of year 9999 (so it always makes a date).
  created: z.int().nonnegative().max(253_402_300_799).optional(),
  data: z.unknown().optional(),
});

const dataSchema = z.looseObject({
  object: z.looseObject({}),
  previous_attributes: z.unknown().optional(),
});

export type Envelope = z.infer<typeof envelopeSchema>;

const amountSchema = z.int().nonnegative().max(MAX_AMOUNT);

const metadataSchema = z.looseObject({ orderId: z.string().optional() }).nullish();

const paymentIntentSchema = z.looseObject({
  id: providerId(),
  amount: amountSchema,
  amount_received: amountSchema.optional(),
  currency: z.string().regex(/^[A-Za-z]{3}$/),
  metadata: metadataSchema,
  last_payment_error: z
    .looseObject({ code: z.string().nullish(), message: z.string().nullish() })
    .nullish(),
});

const chargeSchema = z.looseObject({
  id: providerId(),
  payment_intent: providerId().nullish(),
  amount: amountSchema,
  amount_refunded: amountSchema,
  currency: z.string().regex(/^[A-Za-z]{3}$/),
  metadata: metadataSchema,
  refunds: z
    .looseObject({
      // At most 1000 refunds of at most MAX_AMOUNT each: their sum stays a safe integer.
      data: z
        .array(
          z.looseObject({
            id: providerId(),
            amount: amountSchema,
            created: z.int().optional(),
          }),
        )
        .max(1000),
    })
    .nullish(),
});

const previousAttributesSchema = z
  .looseObject({ amount_refunded: amountSchema.optional() })
  .optional();

const HANDLED_TYPES = new Set([
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'charge.refunded',
]);

// The event catalog's check of orderId, so a stored event always passes it.
const uuidSchema = z.uuid();

/** One refund a `charge.refunded` event reports. */
export interface RefundReported {
  providerRefundId: string;
  amount: number;
}

/** The meaning of one provider event. */
export type ProviderEventMeaning =
  | {
      kind: 'succeeded' | 'failed';
      providerPaymentId: string;
      /** From `metadata.orderId`; null when missing or not a uuid. */
      orderId: string | null;
      amount: Money;
      reason: string | null;
    }
  | {
      kind: 'refunded';
      providerPaymentId: string;
      orderId: string | null;
      currency: string;
      /** The refunds the charge lists (newest state), or the one derived from the delta. */
      refunds: RefundReported[];
    }
  | { kind: 'ignored' }
  | { kind: 'malformed'; reason: string };

/**
 * The reason of a failed payment: the decline code and message of `last_payment_error`.
 * @example failureReason({ code: 'card_declined', message: 'Your card was declined.' }) // 'card_declined: Your card was declined.'
 */
export function failureReason(
  error:
    | { code?: string | null | undefined; message?: string | null | undefined }
    | null
    | undefined,
): string | null {
  const parts = [error?.code, error?.message].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? cleanReason(parts.join(': ').slice(0, 1000)) : null;
}

/**
 * The provider's words as an event's `reason` may carry them (the kit's multi-line text): lone
 * surrogates become U+FFFD, control characters other than tab and line breaks a space. A signed
 * decline is kept whatever its message says.
 */
function cleanReason(reason: string): string {
  if (isCleanText(reason, true)) return reason;
  return Array.from(reason.toWellFormed(), (char) =>
    hasControlCharacter(char, true) ? ' ' : char,
  ).join('');
}

function orderIdOf(metadata: { orderId?: string | undefined } | null | undefined): string | null {
  const orderId = metadata?.orderId;
  return orderId && uuidSchema.safeParse(orderId).success ? orderId.toLowerCase() : null;
}

/**
 * Reads a provider event in Stripe's shape (`type` + `data.object`): `payment_intent.succeeded`,
 * `payment_intent.payment_failed` and `charge.refunded` are understood; other types are
 * `ignored`; an understood type whose object lacks what we need is `malformed`.
 * @example readProviderEvent(envelope) // { kind: 'succeeded', providerPaymentId: 'pi_…', orderId, amount, reason: null }
 */
export function readProviderEvent(event: Envelope): ProviderEventMeaning {
  if (!HANDLED_TYPES.has(event.type)) return { kind: 'ignored' };
  const data = dataSchema.safeParse(event.data);
  if (!data.success) return { kind: 'malformed', reason: 'no data.object' };
  const object = data.data.object;
  switch (event.type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed': {
      const parsed = paymentIntentSchema.safeParse(object);
      if (!parsed.success) return { kind: 'malformed', reason: 'not a payment intent' };
      const intent = parsed.data;
      const succeeded = event.type === 'payment_intent.succeeded';
      const error = intent.last_payment_error;
      return {
        kind: succeeded ? 'succeeded' : 'failed',
        providerPaymentId: intent.id,
        orderId: orderIdOf(intent.metadata),
        amount: {
          amount: succeeded && intent.amount_received ? intent.amount_received : intent.amount,
          currency: intent.currency.toUpperCase(),
        },
        reason: succeeded ? null : failureReason(error),
      };
    }
    case 'charge.refunded': {
      const parsed = chargeSchema.safeParse(object);
      if (!parsed.success) return { kind: 'malformed', reason: 'not a charge' };
      const charge = parsed.data;
      const listed = charge.refunds?.data ?? [];
      // Oldest first: Stripe lists newest first; `created` (seconds) decides, the list breaks ties.
      const ordered = listed
        .map((refund, position) => ({ refund, position }))
        .toSorted(
          (a, b) => (a.refund.created ?? 0) - (b.refund.created ?? 0) || b.position - a.position,
        )
        .map(({ refund }) => refund);
      let refunds: RefundReported[] = ordered.map((refund) => ({
        providerRefundId: refund.id,
        amount: refund.amount,
      }));
      if (refunds.length === 0) {
        // Recent API versions do not expand `refunds`: derive the refund from the delta.
        const previous = previousAttributesSchema.safeParse(data.data.previous_attributes);
        const before = previous.success ? (previous.data?.amount_refunded ?? 0) : 0;
        const amount = charge.amount_refunded - before;
        if (amount <= 0) return { kind: 'malformed', reason: 'no refund amount' };
        refunds = [{ providerRefundId: `${charge.id}:${charge.amount_refunded}`, amount }];
      }
      return {
        kind: 'refunded',
        providerPaymentId: charge.payment_intent ?? charge.id,
        orderId: orderIdOf(charge.metadata),
        currency: charge.currency.toUpperCase(),
        refunds,
      };
    }
    default:
      return { kind: 'ignored' };
  }
}

/**
 * When the event happened: its `created` (unix seconds), else when it was received.
 * @example occurredAt({ created: 1_700_000_000, … }, new Date()) // '2023-11-14T22:13:20.000Z'
 */
export function occurredAt(event: Envelope, received: Date): string {
  return event.created !== undefined
    ? new Date(event.created * 1000).toISOString()
    : received.toISOString();
}
