// authentication-oidc and EventPolicies as the local broker enforces them, in memory (unit) and
// on Kafka (integration): the ingress refuses senders without a valid token (401) or not allowed
// (403), the dispatcher presents each Trigger's identity for the subscriber's audience, and a
// forged payment event changes nothing whether posted to the broker or straight to /events.
import { randomUUID } from 'node:crypto';
import {
  type createEventSenderVerifier,
  createKeyValueDeduper,
  createMemoryKeyValue,
  defineEvents,
  Lifecycle,
  serve,
  silentLogger,
} from '@shop/shared';
import { testEventHeaders } from '@shop/shared/testing';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { eventCatalog } from '../catalog/index.js';
import { startBroker } from './broker.js';
import { subscriberVerifier } from './event-policies.js';
import { loadManifests } from './manifests.js';
import { createOidcIssuer, resourceAudience } from './oidc.js';
import {
  brokerResources,
  manifestsDir,
  releaseTestKafka,
  startSubscriber,
  testKafka,
  uniqueName,
  waitFor,
} from './test-support.js';

const kafka = testKafka();
const namespace = 'shop';
const cleanups: (() => Promise<void> | void)[] = [];
const topics: string[] = [];

afterAll(() => releaseTestKafka(kafka, cleanups, topics));

const FEATURES = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'config-features', namespace: 'knative-eventing' },
  data: { 'authentication-oidc': 'enabled', 'default-authorization-mode': 'allow-same-namespace' },
};

const sinkBindingSubject = (name: string) =>
  `system:serviceaccount:${namespace}:${name}-oidc-sources.knative.dev-sinkbinding`;
const triggerSubject = (name: string) =>
  `system:serviceaccount:${namespace}:${name}-oidc-eventing.knative.dev-trigger`;

/** A broker with one Trigger to `subscriberUrl` (audience `cart`'s) and the EventPolicies. */
function resources(broker: string, trigger: string, subscriberUrl: string): object[] {
  return [
    FEATURES,
    ...brokerResources(namespace, broker),
    {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: { name: trigger, namespace },
      spec: {
        broker,
        filters: [{ prefix: { type: 'shop.payment.' } }],
        subscriber: { uri: subscriberUrl, audience: 'serving.knative.dev/service/shop/cart' },
      },
    },
    {
      apiVersion: 'eventing.knative.dev/v1alpha1',
      kind: 'EventPolicy',
      metadata: { name: `${broker}-publishers`, namespace },
      spec: {
        to: [{ ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: broker } }],
        from: [
          {
            ref: {
              apiVersion: 'sources.knative.dev/v1',
              kind: 'SinkBinding',
              name: 'conversion-webhook',
            },
          },
        ],
      },
    },
    {
      apiVersion: 'eventing.knative.dev/v1alpha1',
      kind: 'EventPolicy',
      metadata: { name: `${broker}-cart-events`, namespace },
      spec: {
        to: [{ ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'cart' } }],
        from: [{ ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Trigger', name: trigger } }],
      },
    },
  ];
}

function paymentSucceeded(orderId: string) {
  return {
    headers: {
      'ce-specversion': '1.0',
      'ce-id': randomUUID(),
      // The catalogued producer's source: only the sender's token tells a forgery apart.
      'ce-source': '/shop/conversion-webhook',
      'ce-type': 'shop.payment.succeeded',
      'ce-partitionkey': orderId,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      paymentId: randomUUID(),
      orderId,
      provider: 'stripe',
      providerPaymentId: `pi_${orderId}`,
      amount: { amount: 2000, currency: 'EUR' },
      succeededAt: new Date().toISOString(),
    }),
  };
}

/** cart's /events as the kit builds it, recording the orders it would mark paid. */
async function startCartReceiver(verifySender: ReturnType<typeof createEventSenderVerifier>) {
  const paid: string[] = [];
  const events = defineEvents({
    catalog: eventCatalog,
    producer: 'cart',
    consumes: ['shop.payment.succeeded'],
  });
  const app = new Hono().route(
    '/events',
    events.receiver({
      dedupe: createKeyValueDeduper(createMemoryKeyValue()),
      verifySender,
      log: silentLogger(),
      handlers: {
        'shop.payment.succeeded': async (event) => {
          paid.push(event.data.orderId);
        },
      },
    }),
  );
  const server = await serve(app, {
    port: 0,
    hostname: '127.0.0.1',
    log: silentLogger(),
    lifecycle: new Lifecycle(),
    handleSignals: false,
  });
  cleanups.push(() => server.shutdown());
  return { url: `http://127.0.0.1:${server.port}/events`, paid };
}

describe(`authentication-oidc and EventPolicies (${kafka.kind})`, () => {
  it('refuses unauthenticated and unauthorised senders at the ingress and at /events; the dispatcher presents the Trigger identity for the audience', async () => {
    const brokerName = uniqueName('auth');
    const triggerName = `${brokerName}-cart`;
    topics.push(`knative-broker-${namespace}-${brokerName}`);
    // The issuer exists before the broker, so the subscriber trusts it from the start.
    const oidc = createOidcIssuer({ issuer: 'http://broker.oidc.test' });
    let receiverUrl = '';
    const { dir, cleanup } = manifestsDir(
      ...resources(brokerName, triggerName, 'http://placeholder.test/'),
    );
    cleanups.push(cleanup);
    // The subscriber's verifier: the issuer's keys, cart's audience, cart's EventPolicy.
    const manifests = loadManifests(dir);
    const cart = await startCartReceiver(subscriberVerifier(oidc, manifests, 'cart'));
    receiverUrl = cart.url;
    // Watch the deliveries on their way: a proxy that records the headers.
    const proxy = await startSubscriber(async (request) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        const forwarded =
          name.startsWith('ce-') || ['content-type', 'authorization'].includes(name);
        if (typeof value === 'string' && forwarded) headers[name] = value;
      }
      const response = await fetch(receiverUrl, { method: 'POST', headers, body: request.body });
      return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
    });
    cleanups.push(() => proxy.close());
    const { dir: liveDir, cleanup: liveCleanup } = manifestsDir(
      ...resources(brokerName, triggerName, `${proxy.url}/events`),
    );
    cleanups.push(liveCleanup);
    const broker = await startBroker({
      manifestsDir: liveDir,
      kafka,
      port: 0,
      oidc,
      resolveService: () => {
        throw new Error('no services');
      },
      log: silentLogger(),
    });
    cleanups.push(() => broker.stop());
    const ingress = broker.ingressUrl(namespace, brokerName);
    const brokerAudience = resourceAudience(
      'eventing.knative.dev',
      'Broker',
      namespace,
      brokerName,
    );

    // The dev issuer publishes what a Kubernetes API server does.
    const discovery = (await (
      await fetch(`${broker.url}/.well-known/openid-configuration`)
    ).json()) as { issuer: string; jwks_uri: string };
    expect(discovery.issuer).toBe(oidc.issuer);
    expect(discovery.jwks_uri).toBe(`${oidc.issuer}/openid/v1/jwks`);
    const served = (await (await fetch(broker.jwksUrl)).json()) as { keys: { kid: string }[] };
    expect(served.keys.map((k) => k.kid)).toEqual(oidc.jwks.keys.map((k) => k.kid));

    const post = (url: string, orderId: string, credentials: Record<string, string>) => {
      const event = paymentSucceeded(orderId);
      return fetch(url, {
        method: 'POST',
        headers: { ...event.headers, ...credentials },
        body: event.body,
      });
    };
    const token = (subject: string, audience = brokerAudience, ttlSeconds?: number) => ({
      authorization: `Bearer ${oidc.issueToken({
        namespace,
        serviceAccount: subject.split(':')[3]!,
        audience,
        ...(ttlSeconds !== undefined && { ttlSeconds }),
      })}`,
    });
    const forged = randomUUID();
    const refusals: [string, Record<string, string>, number][] = [
      ['no token', {}, 401],
      [
        'a token for another audience',
        token(sinkBindingSubject('conversion-webhook'), 'serving.knative.dev/service/shop/cart'),
        401,
      ],
      [
        'an expired token',
        token(sinkBindingSubject('conversion-webhook'), brokerAudience, -120),
        401,
      ],
      [
        'a token of another issuer',
        testEventHeaders(brokerAudience, { subject: sinkBindingSubject('conversion-webhook') }),
        401,
      ],
      [
        'a sender the EventPolicy does not name (same namespace)',
        token(sinkBindingSubject('offer')),
        403,
      ],
      ['a garbled token', { authorization: 'Bearer abc.def.ghi' }, 401],
    ];
    for (const [label, credentials, status] of refusals) {
      const res = await post(ingress, forged, credentials);
      expect(res.status, `ingress: ${label}`).toBe(status);
      // Straight at /events (past the broker), the same forgeries change nothing either.
      const direct = await post(cart.url, forged, credentials);
      expect(direct.status, `/events: ${label}`).toBeGreaterThanOrEqual(401);
      expect(direct.status, `/events: ${label}`).toBeLessThanOrEqual(403);
    }
    // A token the publisher holds for the broker is not one the subscriber takes.
    const replayed = await post(cart.url, forged, token(sinkBindingSubject('conversion-webhook')));
    expect(replayed.status).toBe(401);

    // The legitimate path: the webhook's SinkBinding token, through the broker, to cart.
    const legit = randomUUID();
    const accepted = await post(ingress, legit, {
      authorization: `Bearer ${broker.publisherToken('conversion-webhook', { namespace, name: brokerName })}`,
    });
    expect(accepted.status).toBe(202);
    await waitFor(() => cart.paid.length > 0, 20_000, 'the legitimate payment to be handled');
    expect(cart.paid).toEqual([legit]);
    const [delivery] = proxy.received;
    const presented = String(delivery?.headers.authorization).replace(/^Bearer /, '');
    const claims = JSON.parse(Buffer.from(presented.split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({
      iss: oidc.issuer,
      sub: triggerSubject(triggerName),
      aud: ['serving.knative.dev/service/shop/cart'],
    });
    // Nothing forged reached the topic: one delivery only.
    await new Promise((r) => setTimeout(r, 300));
    expect(proxy.received).toHaveLength(1);
    expect(cart.paid).not.toContain(forged);
  });

  it('changes nothing for a forged shop.user.erased (the right source, no valid token), at the ingress or at auth’s /events; user’s own erasure goes through', async () => {
    const brokerName = uniqueName('erase');
    const triggerName = `${brokerName}-auth`;
    topics.push(`knative-broker-${namespace}-${brokerName}`);
    const oidc = createOidcIssuer({ issuer: 'http://broker.oidc.test' });
    const policies = (subscriber: string) => [
      FEATURES,
      ...brokerResources(namespace, brokerName),
      {
        apiVersion: 'eventing.knative.dev/v1',
        kind: 'Trigger',
        metadata: { name: triggerName, namespace },
        spec: {
          broker: brokerName,
          filters: [{ exact: { type: 'shop.user.erased' } }],
          subscriber: { uri: subscriber, audience: 'serving.knative.dev/service/shop/auth' },
        },
      },
      {
        apiVersion: 'eventing.knative.dev/v1alpha1',
        kind: 'EventPolicy',
        metadata: { name: `${brokerName}-publishers`, namespace },
        spec: {
          to: [
            { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: brokerName } },
          ],
          from: [
            { ref: { apiVersion: 'sources.knative.dev/v1', kind: 'SinkBinding', name: 'user' } },
          ],
        },
      },
      {
        apiVersion: 'eventing.knative.dev/v1alpha1',
        kind: 'EventPolicy',
        metadata: { name: `${brokerName}-auth-events`, namespace },
        spec: {
          to: [{ ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'auth' } }],
          from: [
            { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Trigger', name: triggerName } },
          ],
        },
      },
    ];
    // auth's /events as the kit builds it, recording whom it would erase.
    const erased: string[] = [];
    const { dir: policyDir, cleanup: policyCleanup } = manifestsDir(...policies('http://x.test/'));
    cleanups.push(policyCleanup);
    const events = defineEvents({
      catalog: eventCatalog,
      producer: 'auth',
      consumes: ['shop.user.erased'],
    });
    const app = new Hono().route(
      '/events',
      events.receiver({
        dedupe: createKeyValueDeduper(createMemoryKeyValue()),
        verifySender: subscriberVerifier(oidc, loadManifests(policyDir), 'auth'),
        log: silentLogger(),
        handlers: {
          'shop.user.erased': async (event) => {
            erased.push(event.data.userId);
          },
        },
      }),
    );
    const server = await serve(app, {
      port: 0,
      hostname: '127.0.0.1',
      log: silentLogger(),
      lifecycle: new Lifecycle(),
      handleSignals: false,
    });
    cleanups.push(() => server.shutdown());
    const authEvents = `http://127.0.0.1:${server.port}/events`;
    const { dir, cleanup } = manifestsDir(...policies(authEvents));
    cleanups.push(cleanup);
    const broker = await startBroker({
      manifestsDir: dir,
      kafka,
      port: 0,
      oidc,
      resolveService: () => 'http://127.0.0.1:1',
      log: silentLogger(),
    });
    cleanups.push(() => broker.stop());
    const ingress = broker.ingressUrl(namespace, brokerName);
    const audience = resourceAudience('eventing.knative.dev', 'Broker', namespace, brokerName);
    const erase = (url: string, userId: string, credentials: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'ce-specversion': '1.0',
          'ce-id': randomUUID(),
          'ce-source': '/shop/user',
          'ce-type': 'shop.user.erased',
          'ce-partitionkey': userId,
          'content-type': 'application/json',
          ...credentials,
        },
        body: JSON.stringify({ userId, requestedBy: userId, erasedAt: new Date().toISOString() }),
      });
    const bearer = (serviceAccount: string, aud: string, ttlSeconds?: number) => ({
      authorization: `Bearer ${oidc.issueToken({ namespace, serviceAccount, audience: aud, ...(ttlSeconds !== undefined && { ttlSeconds }) })}`,
    });
    const victim = randomUUID();
    const forgeries: [string, string, Record<string, string>, number][] = [
      ['ingress, no token', ingress, {}, 401],
      [
        'ingress, expired',
        ingress,
        bearer('user-oidc-sources.knative.dev-sinkbinding', audience, -120),
        401,
      ],
      [
        'ingress, another issuer',
        ingress,
        testEventHeaders(audience, { subject: sinkBindingSubject('user') }),
        401,
      ],
      [
        'ingress, a publisher the policy does not name',
        ingress,
        bearer('cart-oidc-sources.knative.dev-sinkbinding', audience),
        403,
      ],
      ['/events, no token', authEvents, {}, 401],
      [
        '/events, the publisher’s own broker token',
        authEvents,
        bearer('user-oidc-sources.knative.dev-sinkbinding', audience),
        401,
      ],
      [
        '/events, another Trigger',
        authEvents,
        bearer('other-oidc-eventing.knative.dev-trigger', 'serving.knative.dev/service/shop/auth'),
        403,
      ],
    ];
    for (const [label, url, credentials, status] of forgeries) {
      expect((await erase(url, victim, credentials)).status, label).toBe(status);
    }
    // user's SinkBinding token: the erasure is delivered, as the dispatcher presents the Trigger's.
    const requested = randomUUID();
    const accepted = await erase(ingress, requested, {
      authorization: `Bearer ${broker.publisherToken('user', { namespace, name: brokerName })}`,
    });
    expect(accepted.status).toBe(202);
    await waitFor(() => erased.length > 0, 20_000, 'the legitimate erasure to be handled');
    await new Promise((r) => setTimeout(r, 300));
    expect(erased).toEqual([requested]);
  });

  it('enforces default-authorization-mode when no EventPolicy applies to a broker', async () => {
    const oidc = createOidcIssuer({ issuer: 'http://broker.oidc.test' });
    for (const [mode, sameNamespace, otherNamespace] of [
      ['allow-same-namespace', 202, 403],
      ['allow-all', 202, 202],
      ['deny-all', 403, 403],
    ] as const) {
      const brokerName = uniqueName('mode');
      topics.push(`knative-broker-${namespace}-${brokerName}`);
      const { dir, cleanup } = manifestsDir(
        {
          ...FEATURES,
          data: { 'authentication-oidc': 'enabled', 'default-authorization-mode': mode },
        },
        ...brokerResources(namespace, brokerName),
      );
      cleanups.push(cleanup);
      const broker = await startBroker({
        manifestsDir: dir,
        kafka,
        port: 0,
        oidc,
        resolveService: () => 'http://127.0.0.1:1',
        log: silentLogger(),
      });
      const audience = resourceAudience('eventing.knative.dev', 'Broker', namespace, brokerName);
      const send = (ns: string) =>
        fetch(broker.ingressUrl(namespace, brokerName), {
          method: 'POST',
          headers: {
            ...paymentSucceeded(randomUUID()).headers,
            authorization: `Bearer ${oidc.issueToken({ namespace: ns, serviceAccount: 'anyone', audience })}`,
          },
          body: paymentSucceeded(randomUUID()).body,
        });
      expect((await send(namespace)).status, `${mode}, same namespace`).toBe(sameNamespace);
      expect((await send('elsewhere')).status, `${mode}, other namespace`).toBe(otherNamespace);
      await broker.stop();
    }
  });
});
