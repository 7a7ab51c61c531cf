// Orders (function `cart`): checkout creates one, payment events move it on; ordered per order.
import { defineEvent } from '@shop/shared';
import { z } from 'zod';
import { eventMoney } from './money.js';
import { eventText } from './text.js';
import { eventTimestamp } from './timestamp.js';

const orderItem = z
  .object({
    productId: z.uuid(),
    slug: eventText(),
    name: eventText(),
    quantity: z.int().positive(),
    unitPrice: eventMoney,
  })
  .strict();

export const orderCreated = defineEvent({
  type: 'shop.order.created',
  description:
    'A cart was checked out: the order awaits payment at the provider. clickId is the affiliate click the shopper arrived with, if any.',
  producer: 'cart',
  consumers: ['attribution', 'reporting', 'audit'],
  partitionKey: 'orderId',
  schema: z
    .object({
      orderId: z.uuid(),
      userId: z.uuid().nullable(),
      items: z.array(orderItem).min(1),
      total: eventMoney,
      clickId: z.uuid().nullable(),
      createdAt: eventTimestamp,
    })
    .strict(),
});

export const orderPaid = defineEvent({
  type: 'shop.order.paid',
  description:
    'Cart marked an order paid after shop.payment.succeeded; notification mails the receipt from it.',
  producer: 'cart',
  consumers: ['notification', 'audit'],
  partitionKey: 'orderId',
  schema: z
    .object({
      orderId: z.uuid(),
      userId: z.uuid().nullable(),
      paymentId: z.uuid(),
      items: z.array(orderItem).min(1),
      total: eventMoney,
      paidAt: eventTimestamp,
    })
    .strict(),
});

export const orderPaymentFailed = defineEvent({
  type: 'shop.order.payment_failed',
  description: 'The payment of an order failed; the shopper may try again.',
  producer: 'cart',
  consumers: ['notification', 'audit'],
  partitionKey: 'orderId',
  schema: z
    .object({
      orderId: z.uuid(),
      userId: z.uuid().nullable(),
      paymentId: z.uuid(),
      reason: eventText({ multiline: true }).nullable(),
      failedAt: eventTimestamp,
    })
    .strict(),
});

export const orderCancelled = defineEvent({
  type: 'shop.order.cancelled',
  description: 'An unpaid order was cancelled by the shopper, staff or its payment timeout.',
  producer: 'cart',
  consumers: ['reporting', 'audit', 'notification'],
  partitionKey: 'orderId',
  schema: z
    .object({
      orderId: z.uuid(),
      userId: z.uuid().nullable(),
      reason: z.enum(['shopper', 'staff', 'payment_timeout']),
      cancelledBy: eventText().nullable(),
      cancelledAt: eventTimestamp,
    })
    .strict(),
});

export const orderRefunded = defineEvent({
  type: 'shop.order.refunded',
  description:
    'Cart recorded a refund of an order after shop.payment.refunded (amount may be partial).',
  producer: 'cart',
  consumers: ['notification', 'audit'],
  partitionKey: 'orderId',
  schema: z
    .object({
      orderId: z.uuid(),
      userId: z.uuid().nullable(),
      paymentId: z.uuid(),
      amount: eventMoney,
      refundedAt: eventTimestamp,
    })
    .strict(),
});

export const orderPaymentMismatched = defineEvent({
  type: 'shop.order.payment_mismatched',
  description:
    'Cart did not apply a payment event that does not match its order (amount, currency or payment intent; a refund of another payment or beyond the capture). An unpaid order goes to payment_review.',
  producer: 'cart',
  consumers: ['audit', 'reporting'],
  partitionKey: 'orderId',
  schema: z
    .object({
      orderId: z.uuid(),
      userId: z.uuid().nullable(),
      paymentEventType: z.enum(['shop.payment.succeeded', 'shop.payment.refunded']),
      paymentEventId: eventText().min(1),
      paymentId: z.uuid().describe("conversion-webhook's id of the provider payment"),
      providerPaymentId: z
        .string()
        .min(1)
        .nullable()
        .describe('The payment intent the event names (null for a refund)'),
      providerRefundId: eventText().min(1).nullable(),
      reasons: z
        .array(
          z.enum([
            'amount_mismatch',
            'currency_mismatch',
            'payment_intent_mismatch',
            'refund_of_another_payment',
            'refund_exceeds_captured',
          ]),
        )
        .min(1),
      expected: eventMoney.describe(
        'The order total for a payment; what is left to refund for a refund',
      ),
      received: eventMoney,
      status: z
        .enum([
          'pending_payment',
          'paid',
          'payment_failed',
          'cancelled',
          'payment_review',
          'partially_refunded',
          'refunded',
        ])
        .describe('The order status after the event: payment_review, or the one it kept'),
      detectedAt: eventTimestamp,
    })
    .strict(),
});

export const orderRefundRequested = defineEvent({
  type: 'shop.order.refund_requested',
  description:
    'Staff asked the payment provider to refund (part of) a paid order. The order counts the money only once shop.payment.refunded confirms it.',
  producer: 'cart',
  consumers: ['audit'],
  partitionKey: 'orderId',
  schema: z
    .object({
      orderId: z.uuid(),
      userId: z.uuid().nullable(),
      refundRequestId: z.uuid(),
      amount: eventMoney,
      reason: z.enum(['requested_by_customer', 'duplicate', 'fraudulent', 'other']),
      note: eventText({ multiline: true }).nullable(),
      requestedBy: eventText(),
      requestedAt: eventTimestamp,
    })
    .strict(),
});

export const orderReviewResolved = defineEvent({
  type: 'shop.order.review_resolved',
  description:
    'Staff resolved an order in payment_review: cancelled it, or dismissed the mismatch so the order waits for its own payment again.',
  producer: 'cart',
  consumers: ['audit'],
  partitionKey: 'orderId',
  schema: z
    .object({
      orderId: z.uuid(),
      userId: z.uuid().nullable(),
      resolution: z.enum(['cancel', 'dismiss']),
      status: z
        .enum(['pending_payment', 'payment_failed', 'cancelled'])
        .describe('The order status after the resolution'),
      note: eventText({ multiline: true }).nullable(),
      resolvedBy: eventText(),
      resolvedAt: eventTimestamp,
    })
    .strict(),
});
