// Provider events in Stripe's shape, as the simulator and Stripe send them.
import { randomUUID } from 'node:crypto';

let counter = 0;
function randomId(prefix: string): string {
  counter += 1;
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}${counter}`;
}

export interface IntentOptions {
  id?: string;
  orderId?: string | null;
  amount?: number;
  currency?: string;
}

export function paymentIntent(options: IntentOptions = {}) {
  const orderId = options.orderId === undefined ? randomUUID() : options.orderId;
  return {
    id: options.id ?? randomId('pi'),
    object: 'payment_intent',
    amount: options.amount ?? 4_990,
    currency: options.currency ?? 'eur',
    status: 'succeeded',
    metadata: orderId === null ? {} : { orderId },
  };
}

export function stripeEvent(type: string, object: Record<string, unknown>, extra: object = {}) {
  return {
    id: randomId('evt'),
    object: 'event',
    api_version: '2024-06-20',
    created: 1_764_000_000,
    type,
    livemode: false,
    data: { object },
    ...extra,
  };
}

export function succeededEvent(options: IntentOptions = {}) {
  return stripeEvent('payment_intent.succeeded', paymentIntent(options));
}

export function failedEvent(options: IntentOptions = {}) {
  return stripeEvent('payment_intent.payment_failed', {
    ...paymentIntent(options),
    status: 'requires_payment_method',
    last_payment_error: { code: 'card_declined', message: 'Your card was declined.' },
  });
}

export function refundedEvent(
  options: IntentOptions & {
    refunds: { id: string; amount: number; created?: number }[];
    chargeId?: string;
  },
) {
  const intent = paymentIntent(options);
  return stripeEvent('charge.refunded', {
    id: options.chargeId ?? randomId('ch'),
    object: 'charge',
    payment_intent: intent.id,
    amount: intent.amount,
    amount_refunded: options.refunds.reduce((sum, refund) => sum + refund.amount, 0),
    currency: intent.currency,
    metadata: intent.metadata,
    refunds: { object: 'list', data: options.refunds },
  });
}
