import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { signStandardPayload, signStripePayload, standardWebhookKey } from './sign.js';

const stripe = new Stripe('sk_test_signature_checks_only');
const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded' });
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('Stripe-Signature', () => {
  it('is accepted by the official stripe package', () => {
    const header = signStripePayload(payload, ['whsec_dev_simulator'], nowSeconds());
    const event = stripe.webhooks.constructEvent(payload, header, 'whsec_dev_simulator');
    expect(event.id).toBe('evt_1');
  });

  it('equals the header the stripe package generates for the same timestamp', () => {
    const timestamp = 1_700_000_000;
    const theirs = stripe.webhooks.generateTestHeaderString({
      payload,
      secret: 'whsec_abc',
      timestamp,
    });
    expect(signStripePayload(payload, ['whsec_abc'], timestamp)).toBe(theirs);
  });

  it('carries one v1 per secret so either secret verifies while rolling', () => {
    const header = signStripePayload(payload, ['whsec_old', 'whsec_new'], nowSeconds());
    expect(header.split(',').filter((part) => part.startsWith('v1='))).toHaveLength(2);
    expect(stripe.webhooks.constructEvent(payload, header, 'whsec_new').id).toBe('evt_1');
    expect(() => stripe.webhooks.constructEvent(payload, header, 'whsec_other')).toThrow();
  });
});

describe('Standard Webhooks signature', () => {
  it('matches the specification test vector', () => {
    const headers = signStandardPayload(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      '{"test": 2432232314}',
      ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      1_614_265_330,
    );
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('is accepted by the official standardwebhooks package and equals its own signature', () => {
    const secret = `whsec_${Buffer.from('another-24-byte-dev-key!').toString('base64')}`;
    const timestamp = nowSeconds();
    const headers = signStandardPayload('evt_1', payload, [secret], timestamp);
    const webhook = new Webhook(secret);
    expect(webhook.verify(payload, { ...headers })).toMatchObject({ id: 'evt_1' });
    expect(headers['webhook-signature']).toBe(
      webhook.sign('evt_1', new Date(timestamp * 1000), payload),
    );
  });

  it('refuses a secret that is not whsec_ + base64', () => {
    expect(() => standardWebhookKey('whsec_not base64!')).toThrow(/base64/);
  });
});
