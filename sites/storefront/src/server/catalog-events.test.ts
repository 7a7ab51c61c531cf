// The storefront's /events as the broker calls it: a binary-mode CloudEvent with the OIDC
// token Knative presents for the Trigger — and the attacks: no token, another sender, an event
// claiming to come from offer that does not, an event this site does not take.
import {
  createEventSenderVerifier,
  createMemoryKeyValue,
  functionAudience,
  silentLogger,
} from '@shop/shared';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOG_GENERATION_KEY, createCatalogCache } from './catalog-cache.js';
import { createCatalogEvents } from './catalog-events.js';

// The cluster's service-account issuer, as Knative's dispatcher gets its tokens from it.
const ISSUER = 'https://kubernetes.default.svc';
const keys = await generateKeyPair('ES256');
const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256' }] };
/** The OIDC identity Knative gives the Trigger (its ServiceAccount `<name>-oidc-<group>-<kind>`). */
const triggerAccount = 'storefront-on-catalog-changes-oidc-eventing.knative.dev-trigger';
const audience = functionAudience('storefront');

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function setup() {
  const kv = createMemoryKeyValue();
  const cache = createCatalogCache({ kv });
  cleanups.push(() => cache.close());
  const events = createCatalogEvents({
    kv,
    cache,
    log: silentLogger(),
    verifySender: createEventSenderVerifier({
      issuer: ISSUER,
      jwks,
      audience,
      allowedSenders: [`system:serviceaccount:shop:${triggerAccount}`],
    }),
  });
  return { kv, cache, events };
}

const tokenOf = (serviceAccount: string, forAudience = audience) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(ISSUER)
    .setSubject(`system:serviceaccount:shop:${serviceAccount}`)
    .setAudience(forAudience)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(keys.privateKey);

async function priceChanged(
  overrides: Record<string, string> = {},
  signed: string | Promise<string> = tokenOf(triggerAccount),
) {
  const token = await signed;
  const productId = crypto.randomUUID();
  return new Request('http://storefront.test/events', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': crypto.randomUUID(),
      'ce-source': '/shop/offer',
      'ce-type': 'shop.offer.price_changed',
      'ce-subject': productId,
      ...(token && { authorization: `Bearer ${token}` }),
      ...overrides,
    },
    body: JSON.stringify({
      productId,
      slug: 'mug',
      previousPrice: { amount: 1000, currency: 'EUR' },
      price: { amount: 1200, currency: 'EUR' },
      changedBy: 'staff-1',
      changedAt: new Date().toISOString(),
    }),
  });
}

/** Fills the cache with one answer, so an invalidation shows as an empty cache. */
async function fill(cache: ReturnType<typeof setup>['cache']) {
  await cache.read('k', async () => ({ status: 200, ok: true, body: {}, headers: new Headers() }));
  expect(cache.size).toBe(1);
}

describe("the storefront's /events", () => {
  it('empties the catalog cache and bumps the generation on a price change from its Trigger', async () => {
    const { kv, cache, events } = setup();
    await fill(cache);
    const request = await priceChanged();
    const redelivery = request.clone();
    const res = await events.fetch(request);
    expect(res.status).toBe(204);
    expect(cache.size).toBe(0);
    expect(await kv.get(CATALOG_GENERATION_KEY)).toBe('1');
    // The same event again (a redelivery) is a duplicate: 204, nothing more.
    expect((await events.fetch(redelivery)).status).toBe(204);
    expect(await kv.get(CATALOG_GENERATION_KEY)).toBe('1');
  });

  it('refuses an event without a token, or from a sender its EventPolicy does not name', async () => {
    const { cache, events } = setup();
    await fill(cache);
    const anonymous = await events.fetch(await priceChanged({}, ''));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    // A real cluster identity, but another one: offer's SinkBinding posting straight here.
    const offer = tokenOf('offer-oidc-sources.knative.dev-sinkbinding');
    expect((await events.fetch(await priceChanged({}, offer))).status).toBe(403);
    // The Trigger's identity, minted for another audience (a token meant for cart).
    const elsewhere = tokenOf(triggerAccount, functionAudience('cart'));
    expect((await events.fetch(await priceChanged({}, elsewhere))).status).toBe(401);
    expect(cache.size).toBe(1);
  });

  it('refuses an event claiming a source that is not its producer, and types it does not take', async () => {
    const { cache, events } = setup();
    await fill(cache);
    const forged = await events.fetch(await priceChanged({ 'ce-source': '/shop/cart' }));
    expect(forged.status).toBe(403);
    const other = await events.fetch(
      await priceChanged({ 'ce-type': 'shop.order.paid', 'ce-source': '/shop/cart' }),
    );
    expect(other.status).toBe(400);
    const notAnEvent = await events.fetch(
      new Request('http://storefront.test/events', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await tokenOf(triggerAccount)}`,
          'content-type': 'text/plain',
        },
        body: 'hello',
      }),
    );
    expect(notAnEvent.status).toBe(400);
    expect(cache.size).toBe(1);
  });
});
