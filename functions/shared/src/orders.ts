// The vocabulary of an order that the back office shares with cart: its statuses, why staff
// refund, and which statuses allow which staff action. Cart enforces these rules; the admin app
// reads the same lists so it offers only what cart would accept. No dependencies: it is bundled
// into the browser.

/** Every status of an order, in the order of a life (for schemas and CHECK constraints). */
export const ORDER_STATUSES = [
  'pending_payment',
  'payment_failed',
  'cancelled',
  'payment_review',
  'paid',
  'partially_refunded',
  'refunded',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Why staff refund: Stripe's reasons, and `other` (then a note says why). */
export const REFUND_REASONS = [
  'requested_by_customer',
  'duplicate',
  'fraudulent',
  'other',
] as const;

export type RefundReason = (typeof REFUND_REASONS)[number];

/** Statuses staff may cancel: an order nobody has paid for yet. */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = [
  'pending_payment',
  'payment_failed',
  'payment_review',
];

/** Statuses with money to refund (when some of the total is left). */
export const REFUNDABLE_STATUSES: readonly OrderStatus[] = ['paid', 'partially_refunded'];
