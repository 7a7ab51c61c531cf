import { type Database, silentLogger } from '@shop/shared';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';

const SECRET = 'whsec_openapi_test_secret';
const stripe = new Stripe('sk_test_openapi');
// Neither the document nor a refused delivery reaches the database.
const db = {} as Database;
const app = createApp({ db, log: silentLogger(), stripeSecrets: [SECRET], standardSecrets: [] });

interface Operation {
  parameters: { name: string; in: string; required: boolean }[];
  requestBody: { required: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, unknown>;
}

describe('/openapi.json', () => {
  it('documents both webhooks with their signature headers and the raw body', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      paths: Record<string, { post: Operation }>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/webhooks/payments/standard',
      '/webhooks/payments/stripe',
    ]);
    const headers = (op: Operation | undefined) =>
      op?.parameters.map((p) => `${p.in} ${p.name} ${p.required ? 'required' : 'optional'}`);
    const stripeOp = doc.paths['/webhooks/payments/stripe']?.post;
    expect(headers(stripeOp)).toEqual(['header stripe-signature required']);
    expect(headers(doc.paths['/webhooks/payments/standard']?.post)).toEqual([
      'header webhook-id required',
      'header webhook-timestamp required',
      'header webhook-signature required',
    ]);
    expect(stripeOp?.requestBody.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/ProviderEvent',
    });
    expect(Object.keys(stripeOp?.responses ?? {})).toEqual(['200', '400', '413', '503']);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['ProviderEvent', 'WebhookReceived', 'Problem']),
    );
    // One example per handled type: documentation, and where the fuzz suite starts from.
    const providerEvent = doc.components.schemas.ProviderEvent as { examples?: { type: string }[] };
    expect(providerEvent.examples?.map((example) => example.type)).toEqual([
      'payment_intent.succeeded',
      'payment_intent.payment_failed',
      'charge.refunded',
    ]);
  });

  it('leaves the body to the handler: verified as sent before anything parses it', async () => {
    // Unsigned and not JSON: the signature is refused (no JSON or content-type check first).
    const unsigned = await app.request('/webhooks/payments/stripe', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{not json',
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ title: 'Invalid webhook signature' });
    // Signed: only then is it read as JSON, and refused as a payload.
    const payload = '{not json';
    const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
    const signed = await app.request('/webhooks/payments/stripe', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'stripe-signature': signature },
      body: payload,
    });
    expect(signed.status).toBe(400);
    expect(await signed.json()).toMatchObject({ title: 'Invalid webhook payload' });
  });
});
