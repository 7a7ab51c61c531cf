import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { signStandardPayload, signStripePayload } from './sign.js';

const stripe = new Stripe('sk_test_signing');
const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded' });
const standardSecret = `whsec_${Buffer.from('a-24-byte-test-secret!!!').toString('base64')}`;

describe('signStripePayload', () => {
  it('produces the header the official stripe package generates', () => {
    const timestamp = 1_764_000_000;
    const theirs = stripe.webhooks.generateTestHeaderString({
      payload,
      secret: 'whsec_test_secret',
      timestamp,
    });
    expect(signStripePayload(payload, ['whsec_test_secret'], timestamp)).toBe(theirs);
  });

  it('is accepted by the official stripe verifier, with one v1 per secret while rotating', () => {
    const header = signStripePayload(payload, ['whsec_old_secret', 'whsec_new_secret']);
    expect(header.match(/v1=/g)).toHaveLength(2);
    for (const secret of ['whsec_old_secret', 'whsec_new_secret']) {
      expect(stripe.webhooks.constructEvent(payload, header, secret).id).toBe('evt_1');
    }
  });
});

describe('signStandardPayload', () => {
  it('produces the signature the official standardwebhooks package computes', () => {
    const date = new Date(1_764_000_000_000);
    const theirs = new Webhook(standardSecret).sign('msg_1', date, payload);
    const ours = signStandardPayload('msg_1', payload, [standardSecret], 1_764_000_000);
    expect(ours['webhook-signature']).toBe(theirs);
    expect(ours['webhook-timestamp']).toBe('1764000000');
  });

  it('is accepted by the official standardwebhooks verifier', () => {
    const headers = signStandardPayload('msg_2', payload, [standardSecret]);
    expect(new Webhook(standardSecret).verify(payload, { ...headers })).toMatchObject({
      id: 'evt_1',
    });
  });
});
