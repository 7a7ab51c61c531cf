// What the cart routes answer, as zod schemas: the OpenAPI document at /openapi.json is made
// from them, and the tests parse real answers with them, so the document cannot drift.
import { z } from '@hono/zod-openapi';
import { text } from '@shop/shared';
import { ORDER_STATUSES } from '../domain/order-status.js';

export const MoneySchema = z
  .object({
    amount: z.int().openapi({ description: 'Integer minor units (cents)', example: 4990 }),
    currency: z.string().length(3).openapi({ example: 'EUR' }),
  })
  .openapi('Money');

export const CartLineSchema = z
  .object({
    productId: z.uuid(),
    slug: z.string().nullable().openapi({ description: 'null when offer no longer has it' }),
    name: z.string().nullable(),
    quantity: z.int().min(1),
    unitPrice: MoneySchema.nullable().openapi({ description: 'The current price, from offer' }),
    priceWhenAdded: MoneySchema,
    priceChanged: z.boolean(),
    lineTotal: MoneySchema.nullable(),
    available: z.int().min(0).openapi({ description: 'Units in stock (0 when gone)' }),
    inStock: z.boolean().openapi({ description: 'Whether the whole quantity can be bought now' }),
    maxQuantity: z.int().min(0).openapi({ description: 'The most this line may hold now' }),
    purchasable: z.boolean().openapi({ description: 'False once offer stops selling it' }),
  })
  .openapi('CartLine');

export const CartSchema = z
  .object({
    cartId: z
      .string()
      .nullable()
      .openapi({ description: 'The anonymous cart id (also in x-cart-id); null when signed in' }),
    items: z.array(CartLineSchema),
    itemCount: z.int().min(0),
    total: MoneySchema,
    expiresAt: z.iso.datetime().nullable(),
  })
  .openapi('Cart');

export const MergedCartSchema = CartSchema.extend({
  merge: z.object({
    merged: z.int().min(0).openapi({ description: 'Lines taken over from the anonymous cart' }),
    capped: z.array(z.uuid()).openapi({ description: 'Lines cut to the largest quantity' }),
    dropped: z.array(z.uuid()).openapi({ description: 'Lines that did not fit the cart' }),
  }),
}).openapi('MergedCart');

export const OrderSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(ORDER_STATUSES).openapi({
      description:
        'payment_review: a payment did not match the order (amount, currency or payment intent) and did not pay it; staff review it',
    }),
    items: z.array(
      z.object({
        productId: z.uuid(),
        slug: z.string(),
        name: z.string(),
        quantity: z.int().min(1),
        unitPrice: MoneySchema,
        lineTotal: MoneySchema,
      }),
    ),
    total: MoneySchema,
    shippingAddress: z.object({
      name: z.string(),
      line1: z.string(),
      line2: z.string().optional(),
      postalCode: z.string(),
      city: z.string(),
      country: z.string().length(2),
    }),
    clickId: z.uuid().nullable().openapi({ description: 'The affiliate click it came from' }),
    payment: z.object({
      provider: z.string().nullable(),
      providerPaymentId: z.string().nullable(),
      paymentId: z.string().nullable(),
    }),
    refundedAmount: z
      .int()
      .min(0)
      .openapi({ description: 'Minor units refunded so far (never more than the total)' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Order');

export const CheckoutSchema = z
  .object({
    order: OrderSchema,
    payment: z.object({
      provider: z.literal('stripe'),
      providerPaymentId: z.string(),
      clientSecret: z.string().openapi({ description: 'For the provider’s client-side SDK' }),
      redirectUrl: z
        .string()
        .nullable()
        .openapi({ description: 'The provider’s pay page, when it has one' }),
    }),
  })
  .openapi('Checkout');

export const OrderWithHistorySchema = OrderSchema.extend({
  transitions: z.array(
    z.object({
      from: z.enum(ORDER_STATUSES).nullable(),
      to: z.enum(ORDER_STATUSES),
      eventId: z.string().nullable(),
      eventType: z.string().nullable(),
      at: z.iso.datetime(),
      reason: z
        .string()
        .nullable()
        .openapi({ description: 'Why, when a payment did not match the order (payment_review)' }),
    }),
  ),
  refunds: z.array(
    z.object({
      providerRefundId: z.string(),
      amount: MoneySchema,
      counted: z.boolean().openapi({ description: 'Whether it is part of refundedAmount' }),
      reason: z
        .string()
        .nullable()
        .openapi({ description: 'Why it was not counted (another payment, beyond the capture)' }),
      eventId: z.string(),
      at: z.iso.datetime(),
    }),
  ),
}).openapi('OrderWithHistory');

/** A JSON response for a route's `responses`. */
export const jsonResponse = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A required JSON request body for a route's `request` (validated before the handler runs). */
export const requestBody = <S extends z.ZodType>(schema: S) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** The anonymous cart id, for API clients that keep no cookies. */
export const CartIdHeader = z.object({
  'x-cart-id': text({ max: 43, trim: false })
    .optional()
    .openapi({ description: 'An anonymous cart id (browsers send the __Host-cart cookie)' }),
});
