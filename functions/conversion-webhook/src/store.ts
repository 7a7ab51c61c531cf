// SQL of the conversion_webhook schema: each provider event stored once, with the payment
// events it implies written to the outbox in the same transaction.
import { type Database, newId, type Queryable } from '@shop/shared';
import type { Provider, ProviderEventMeaning } from './domain/read-provider-event.js';
import { events, type PaymentEvent } from './events.js';

/** A verified delivery, ready to be stored. */
export interface VerifiedDelivery {
  provider: Provider;
  /** Stripe's event id, or the Standard Webhooks `webhook-id`. */
  eventId: string;
  type: string;
  /** The raw body as signed. */
  payload: string;
  meaning: ProviderEventMeaning;
  /** When the provider says the event happened (ISO-8601). */
  occurredAt: string;
  signedAt: Date;
}

export type StoredStatus = 'processed' | 'ignored' | 'unmatched';

export type StoreResult =
  | { duplicate: true }
  | {
      duplicate: false;
      providerEventId: string;
      status: StoredStatus;
      note: string | null;
      /** How many payment events went to the outbox. */
      events: number;
    };

/**
 * Stores a provider event once per (provider, event id) and, in the same transaction, writes
 * the payment events it implies to the outbox. A repeated delivery (also a concurrent one: the
 * unique key makes it wait for the first) changes nothing and says `duplicate`.
 * @example const result = await storeDelivery(db, delivery); // { duplicate: false, status: 'processed', events: 1, … }
 */
export function storeDelivery(db: Database, delivery: VerifiedDelivery): Promise<StoreResult> {
  return db.transaction(async (tx) => {
    const providerEventId = newId();
    const claimed = await tx.query(
      `INSERT INTO conversion_webhook.provider_event
         (id, provider, event_id, type, status, payload, signed_at)
       VALUES ($1, $2, $3, $4, 'ignored', $5, $6)
       ON CONFLICT (provider, event_id) DO NOTHING
       RETURNING id`,
      [
        providerEventId,
        delivery.provider,
        delivery.eventId,
        delivery.type,
        delivery.payload,
        delivery.signedAt,
      ],
    );
    if (claimed.rowCount === 0) return { duplicate: true };
    const outcome = await applyMeaning(tx, providerEventId, delivery);
    await tx.query(
      `UPDATE conversion_webhook.provider_event
          SET status = $2, note = $3, payment_id = $4, order_id = $5
        WHERE id = $1`,
      [providerEventId, outcome.status, outcome.note, outcome.paymentId, outcome.orderId],
    );
    return {
      duplicate: false,
      providerEventId,
      status: outcome.status,
      note: outcome.note,
      events: outcome.events,
    };
  });
}

interface Outcome {
  status: StoredStatus;
  note: string | null;
  paymentId: string | null;
  orderId: string | null;
  events: number;
}

async function applyMeaning(
  tx: Queryable,
  providerEventId: string,
  delivery: VerifiedDelivery,
): Promise<Outcome> {
  const { meaning, provider, occurredAt } = delivery;
  const none = { paymentId: null, orderId: null, events: 0 };
  if (meaning.kind === 'ignored') return { status: 'ignored', note: null, ...none };
  if (meaning.kind === 'malformed') {
    return { status: 'unmatched', note: `malformed ${delivery.type}: ${meaning.reason}`, ...none };
  }
  const payment = await upsertPayment(tx, provider, meaning.providerPaymentId, meaning.orderId);
  // A refund's charge may lack the metadata its payment intent had.
  const orderId = meaning.orderId ?? payment.orderId;
  if (!orderId) {
    return {
      status: 'unmatched',
      note: 'no metadata.orderId (a uuid) on the payment',
      paymentId: payment.id,
      orderId: null,
      events: 0,
    };
  }
  const base = {
    paymentId: payment.id,
    orderId,
    provider,
    providerPaymentId: meaning.providerPaymentId,
  };
  if (meaning.kind !== 'refunded') {
    const event: PaymentEvent =
      meaning.kind === 'succeeded'
        ? {
            type: 'shop.payment.succeeded',
            subject: orderId,
            partitionKey: orderId,
            data: { ...base, amount: meaning.amount, succeededAt: occurredAt },
          }
        : {
            type: 'shop.payment.failed',
            subject: orderId,
            partitionKey: orderId,
            data: { ...base, amount: meaning.amount, reason: meaning.reason, failedAt: occurredAt },
          };
    await events.write(tx, event);
    return { status: 'processed', note: null, paymentId: payment.id, orderId, events: 1 };
  }
  return recordRefunds(tx, providerEventId, provider, meaning, orderId, payment.id, occurredAt);
}

/** Counts each refund the event lists once, emitting `shop.payment.refunded` for new ones. */
async function recordRefunds(
  tx: Queryable,
  providerEventId: string,
  provider: Provider,
  meaning: Extract<ProviderEventMeaning, { kind: 'refunded' }>,
  orderId: string,
  paymentId: string,
  occurredAt: string,
): Promise<Outcome> {
  // Rows are locked in id order, so two events listing the same refunds cannot deadlock…
  const fresh = new Set<string>();
  const byId = meaning.refunds.toSorted((a, b) =>
    a.providerRefundId < b.providerRefundId ? -1 : a.providerRefundId > b.providerRefundId ? 1 : 0,
  );
  for (const refund of byId) {
    const inserted = await tx.query(
      `INSERT INTO conversion_webhook.refund
         (provider, provider_refund_id, payment_id, amount, currency, provider_event_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (provider, provider_refund_id) DO NOTHING
       RETURNING provider_refund_id`,
      [
        provider,
        refund.providerRefundId,
        paymentId,
        refund.amount,
        meaning.currency,
        providerEventId,
      ],
    );
    if (inserted.rowCount > 0) fresh.add(refund.providerRefundId);
  }
  // …and the new ones are announced in the order the provider made them.
  let recorded = 0;
  for (const refund of meaning.refunds) {
    if (!fresh.has(refund.providerRefundId)) continue;
    await events.write(tx, {
      type: 'shop.payment.refunded',
      subject: orderId,
      partitionKey: orderId,
      data: {
        paymentId,
        orderId,
        provider,
        providerRefundId: refund.providerRefundId,
        amount: { amount: refund.amount, currency: meaning.currency },
        refundedAt: occurredAt,
      },
    });
    recorded += 1;
  }
  return {
    status: 'processed',
    note: recorded === 0 ? 'every refund listed was already counted' : null,
    paymentId,
    orderId,
    events: recorded,
  };
}

/**
 * Our stable id of a provider payment (UUIDv7, created on its first event), and the order id
 * first seen for it.
 */
async function upsertPayment(
  tx: Queryable,
  provider: Provider,
  providerPaymentId: string,
  orderId: string | null,
): Promise<{ id: string; orderId: string | null }> {
  const { rows } = await tx.query<{ id: string; order_id: string | null }>(
    `INSERT INTO conversion_webhook.payment (id, provider, provider_payment_id, order_id)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (provider, provider_payment_id)
       DO UPDATE SET order_id = COALESCE(conversion_webhook.payment.order_id, EXCLUDED.order_id)
     RETURNING id, order_id`,
    [newId(), provider, providerPaymentId, orderId],
  );
  const row = rows[0];
  if (!row) throw new Error('the payment upsert returned no row');
  return { id: row.id, orderId: row.order_id };
}
