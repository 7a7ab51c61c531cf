import { describe, expect, it } from 'vitest';
import { failedEvent, refundedEvent, stripeEvent, succeededEvent } from '../testing/fixtures.js';
import { envelopeSchema, failureReason, readProviderEvent } from './read-provider-event.js';

const read = (event: unknown) => readProviderEvent(envelopeSchema.parse(event));

describe('readProviderEvent', () => {
  it('reads a succeeded payment intent with the currency uppercased', () => {
    const orderId = '0198a3f2-7c1e-7000-8000-000000000001';
    const event = succeededEvent({ orderId, amount: 100, currency: 'usd' });
    expect(read(event)).toEqual({
      kind: 'succeeded',
      providerPaymentId: event.data.object.id,
      orderId,
      amount: { amount: 100, currency: 'USD' },
      reason: null,
    });
  });

  it('prefers amount_received for a succeeded payment', () => {
    const event = succeededEvent({ amount: 100 });
    const object = { ...event.data.object, amount_received: 80 };
    expect(read({ ...event, data: { object } })).toMatchObject({ amount: { amount: 80 } });
  });

  it('reads a failed payment intent with its decline code and message', () => {
    expect(read(failedEvent())).toMatchObject({
      kind: 'failed',
      reason: 'card_declined: Your card was declined.',
    });
    expect(failureReason({ code: null, message: 'Declined' })).toBe('Declined');
    expect(failureReason(null)).toBeNull();
  });

  it('reads every refund a refunded charge lists', () => {
    const event = refundedEvent({ refunds: [{ id: 're_1', amount: 5 }] });
    expect(read(event)).toMatchObject({
      kind: 'refunded',
      currency: 'EUR',
      refunds: [{ providerRefundId: 're_1', amount: 5 }],
    });
  });

  it('orders refunds oldest first, as Stripe and the simulator list them newest first', () => {
    const refunds = [
      { id: 're_3', amount: 3, created: 200 },
      { id: 're_2', amount: 2, created: 100 },
      { id: 're_1', amount: 1, created: 100 },
    ];
    const meaning = read(refundedEvent({ refunds }));
    expect(meaning.kind === 'refunded' && meaning.refunds.map((r) => r.providerRefundId)).toEqual([
      're_1',
      're_2',
      're_3',
    ]);
  });

  it('gives a null order id when metadata.orderId is missing or not a uuid', () => {
    expect(read(succeededEvent({ orderId: null }))).toMatchObject({ orderId: null });
    expect(read(succeededEvent({ orderId: 'ord_1' }))).toMatchObject({ orderId: null });
    // Shaped like a uuid but not one the event catalog accepts (variant bits).
    const notRfc = '12345678-1234-1234-1234-123456789012';
    expect(read(succeededEvent({ orderId: notRfc }))).toMatchObject({ orderId: null });
  });

  it('ignores other types and calls an understood type without its fields malformed', () => {
    expect(read(stripeEvent('invoice.paid', { id: 'in_1' }))).toEqual({ kind: 'ignored' });
    expect(read(stripeEvent('payment_intent.succeeded', { id: 'pi_1' }))).toMatchObject({
      kind: 'malformed',
    });
  });
});

describe('readProviderEvent bounds', () => {
  it('calls amounts beyond safe integers and over-long ids malformed instead of failing later', () => {
    expect(read(succeededEvent({ amount: 1e300 }))).toMatchObject({ kind: 'malformed' });
    expect(read(succeededEvent({ id: `pi_${'x'.repeat(300)}` }))).toMatchObject({
      kind: 'malformed',
    });
    expect(envelopeSchema.safeParse({ id: 'evt_1', type: 't', created: 1e300 }).success).toBe(
      false,
    );
  });
});
