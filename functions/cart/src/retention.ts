// How long cart keeps what it received only to act on it once (the kit prunes older rows at
// start and hourly). Orders, their transitions and refunds are the record and stay.
import type { RetentionRule } from '@shop/shared';

/** Payment events that never found their order, and spent checkout idempotency keys. */
export const retention: readonly RetentionRule[] = [
  {
    table: 'cart.pending_payment_event',
    column: 'received_at',
    keepDays: 30,
    why: 'an event waits here for a checkout commit or the event it follows, seconds to minutes; an order unpaid for 30 days has long expired, and its payment events are in the conversion-webhook records and the broker topic (7 days)',
  },
  {
    table: 'cart.idempotency_key',
    column: 'updated_at',
    keepDays: 30,
    why: 'clients retry a checkout within minutes (Stripe keeps its keys 24 hours); a key reused after 30 days is a new checkout',
  },
];
