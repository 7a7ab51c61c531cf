// Payments confirmed by the providers' webhooks (function `conversion-webhook`), each counted
// once; ordered per order so a refund never overtakes its payment.
import { defineEvent } from '@shop/shared';
import { z } from 'zod';
import { eventMoney } from './money.js';
import { eventText } from './text.js';
import { eventTimestamp } from './timestamp.js';

const provider = z.enum(['stripe', 'standard']);

export const paymentSucceeded = defineEvent({
  type: 'shop.payment.succeeded',
  description:
    'A payment provider confirmed a payment: cart marks the order paid, attribution credits the affiliate, reporting counts the sale.',
  producer: 'conversion-webhook',
  consumers: ['cart', 'attribution', 'reporting', 'audit'],
  partitionKey: 'orderId',
  schema: z
    .object({
      paymentId: z.uuid(),
      orderId: z.uuid(),
      provider,
      providerPaymentId: eventText().min(1),
      amount: eventMoney,
      succeededAt: eventTimestamp,
    })
    .strict(),
});

export const paymentFailed = defineEvent({
  type: 'shop.payment.failed',
  description: 'A payment provider reported a failed or declined payment.',
  producer: 'conversion-webhook',
  consumers: ['cart'],
  partitionKey: 'orderId',
  schema: z
    .object({
      paymentId: z.uuid(),
      orderId: z.uuid(),
      provider,
      providerPaymentId: eventText().min(1),
      amount: eventMoney,
      reason: eventText({ multiline: true })
        .nullable()
        .describe("The provider's decline code or message."),
      failedAt: eventTimestamp,
    })
    .strict(),
});

export const paymentRefunded = defineEvent({
  type: 'shop.payment.refunded',
  description: 'A payment provider confirmed a (possibly partial) refund.',
  producer: 'conversion-webhook',
  consumers: ['cart', 'attribution', 'reporting', 'audit'],
  partitionKey: 'orderId',
  schema: z
    .object({
      paymentId: z.uuid(),
      orderId: z.uuid(),
      provider,
      providerRefundId: eventText().min(1),
      amount: eventMoney,
      refundedAt: eventTimestamp,
    })
    .strict(),
});
