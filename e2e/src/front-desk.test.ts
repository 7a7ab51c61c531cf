// The front-desk story, end to end through the gateway: auth, user and offer run for real on
// their own databases; the local broker delivers auth's events to user by a Trigger.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gateway as gatewayFunction, type RunningGateway } from '@shop/api-gateway';
import { auth as authFunction, type RunningAuth } from '@shop/auth';
import {
  createOidcIssuer,
  loadManifests,
  type RunningBroker,
  startBroker,
  subscriberVerifier,
} from '@shop/eventing/broker';
import { offer as offerFunction, type RunningOffer } from '@shop/offer';
import { silentLogger } from '@shop/shared';
import { testDatabase, testKeyValue } from '@shop/shared/testing';
import { type RunningUser, user as userFunction } from '@shop/user';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGateway, freePort, PASSWORD, startForStory } from './testing/shopper.js';

const MANIFESTS = `
apiVersion: v1
kind: ConfigMap
metadata: { name: kafka-broker-config, namespace: shop }
data:
  default.topic.partitions: "1"
  default.topic.replication.factor: "1"
  bootstrap.servers: 127.0.0.1:9092
---
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  namespace: shop
  annotations: { eventing.knative.dev/broker.class: Kafka }
spec:
  config: { apiVersion: v1, kind: ConfigMap, name: kafka-broker-config, namespace: shop }
  delivery: { retry: 3, backoffPolicy: exponential, backoffDelay: PT0.2S }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: user-on-registered, namespace: shop }
spec:
  broker: default
  filter: { attributes: { type: shop.user.registered } }
  subscriber:
    ref: { apiVersion: serving.knative.dev/v1, kind: Service, name: user }
    uri: /events
    audience: serving.knative.dev/service/shop/user
---
apiVersion: v1
kind: ConfigMap
metadata: { name: config-features, namespace: knative-eventing }
data: { authentication-oidc: enabled }
---
apiVersion: eventing.knative.dev/v1alpha1
kind: EventPolicy
metadata: { name: default-broker-publishers, namespace: shop }
spec:
  to: [{ ref: { apiVersion: eventing.knative.dev/v1, kind: Broker, name: default } }]
  from: [{ ref: { apiVersion: sources.knative.dev/v1, kind: SinkBinding, name: auth } }]
---
apiVersion: eventing.knative.dev/v1alpha1
kind: EventPolicy
metadata: { name: user-events, namespace: shop }
spec:
  to: [{ ref: { apiVersion: serving.knative.dev/v1, kind: Service, name: user } }]
  from: [{ ref: { apiVersion: eventing.knative.dev/v1, kind: Trigger, name: user-on-registered } }]
`;

const cleanups: (() => Promise<void> | void)[] = [];
let user: RunningUser;
let auth: RunningAuth;
let offer: RunningOffer;
let broker: RunningBroker;
let gateway: RunningGateway;

beforeAll(async () => {
  const log = silentLogger();
  const [userDb, authDb, offerDb] = await Promise.all([
    testDatabase(),
    testDatabase(),
    testDatabase(),
  ]);
  const kv = testKeyValue();
  cleanups.push(userDb.cleanup, authDb.cleanup, offerDb.cleanup, kv.cleanup);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-story-'));
  writeFileSync(join(dir, 'eventing.yaml'), MANIFESTS);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  // The broker's OIDC issuer, made first so user's /events can trust it whenever user starts.
  const oidc = createOidcIssuer({ issuer: 'http://front-desk.broker.test' });
  // user starts after auth (it verifies tokens against it), auth after the broker (its K_SINK);
  // the broker resolves user's address now, so user's port is chosen first.
  const userPort = await freePort();
  broker = await startBroker({
    manifestsDir: dir,
    oidc,
    port: 0,
    log,
    resolveService: (name) => {
      if (name !== 'user') throw new Error(`no local service ${name}`);
      return `http://127.0.0.1:${userPort}`;
    },
  });
  cleanups.unshift(() => broker.stop());

  auth = await startForStory(cleanups, authFunction, {
    env: { K_SINK: broker.ingressUrl('shop', 'default') },
    // What its SinkBinding mounts in the cluster: a token of its own identity for the broker.
    sinkToken: () => broker.publisherToken('auth'),
    db: authDb.db,
    kv: kv.kv,
    log,
  });
  // Every function verifies access tokens itself, against this auth's keys and revocations.
  const authUrl = `http://127.0.0.1:${auth.port}`;
  user = await startForStory(
    cleanups,
    userFunction,
    {
      env: { AUTH_URL: authUrl },
      db: userDb.db,
      log,
      // The broker's dev issuer, user's audience, user's EventPolicy.
      verifyEventSender: subscriberVerifier(oidc, loadManifests(dir), 'user'),
    },
    userPort,
  );
  offer = await startForStory(cleanups, offerFunction, {
    env: { AUTH_URL: authUrl },
    db: offerDb.db,
    log,
  });

  gateway = await startForStory(cleanups, gatewayFunction, {
    env: {
      AUTH_URL: authUrl,
      USER_URL: `http://127.0.0.1:${user.port}`,
      OFFER_URL: `http://127.0.0.1:${offer.port}`,
    },
    kv: kv.kv,
    log,
  });
});

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const call = (method: string, path: string, options?: Parameters<typeof callGateway>[3]) =>
  callGateway(gateway.url, method, path, options);

async function signUp(name: string): Promise<{ userId: string; email: string }> {
  const email = `${name}-${crypto.randomUUID()}@example.com`;
  const signup = await call('POST', '/api/auth/signup', {
    body: { email, password: PASSWORD, name, locale: 'en-GB' },
  });
  expect(signup.status).toBe(201);
  return { userId: String(signup.body.userId), email };
}

async function logIn(email: string): Promise<{ accessToken: string; refreshToken: string }> {
  const login = await call('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  expect(login.body.tokenType).toBe('Bearer');
  return {
    accessToken: String(login.body.accessToken),
    refreshToken: String(login.body.refreshToken),
  };
}

/** GET /api/users/me until the registration event has created the profile. */
async function profileOf(token: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const me = await call('GET', '/api/users/me', { token });
    if (me.status === 200 || Date.now() > deadline) {
      expect(me.status).toBe(200);
      return me.body;
    }
    expect(me.status).toBe(404);
    await new Promise((done) => setTimeout(done, 100));
  }
}

describe('the front desk story through the gateway', () => {
  it('signs up, gets a profile by event, logs in, refreshes, detects reuse and logs out', async () => {
    const { userId, email } = await signUp('ada');
    const first = await logIn(email);

    const profile = await profileOf(first.accessToken);
    expect(profile.id).toBe(userId);
    expect(profile.email).toBe(email);
    expect(profile.displayName).toBe('ada');

    const refreshed = await call('POST', '/api/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const second = {
      accessToken: String(refreshed.body.accessToken),
      refreshToken: String(refreshed.body.refreshToken),
    };
    expect((await call('GET', '/api/users/me', { token: second.accessToken })).status).toBe(200);

    // The old refresh token again: reuse. The whole family is revoked.
    const reused = await call('POST', '/api/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    expect(reused.status).toBe(401);
    const afterReuse = await call('POST', '/api/auth/refresh', {
      body: { refreshToken: second.refreshToken },
    });
    expect(afterReuse.status).toBe(401);

    const logout = await call('POST', '/api/auth/logout', {
      body: { refreshToken: second.refreshToken },
    });
    expect(logout.status).toBe(204);
  });

  it('keeps shoppers out of staff routes and out of each other’s records', async () => {
    const a = await signUp('alice');
    const b = await signUp('bob');
    const aTokens = await logIn(a.email);
    await profileOf(aTokens.accessToken);
    const bTokens = await logIn(b.email);
    await profileOf(bTokens.accessToken);

    expect((await call('GET', '/api/admin/offers', { token: aTokens.accessToken })).status).toBe(
      403,
    );
    expect(
      (await call('GET', `/api/admin/users/${b.userId}`, { token: aTokens.accessToken })).status,
    ).toBe(403);
    // A forged identity header does not make Alice into Bob.
    const me = await call('GET', '/api/users/me', {
      token: aTokens.accessToken,
      headers: { 'x-shop-user-id': b.userId },
    });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(a.userId);
    // Without a token, the forged header gets nobody in.
    const anonymous = await call('GET', '/api/users/me', {
      headers: { 'x-shop-user-id': b.userId },
    });
    expect(anonymous.status).toBe(401);
  });

  it('serves the catalog and lets a stock JOSE client verify tokens with the published keys', async () => {
    const offers = await call('GET', '/api/offers?limit=2');
    expect(offers.status).toBe(200);

    const { email } = await signUp('grace');
    const { accessToken } = await logIn(email);
    const jwks = createRemoteJWKSet(new URL(`${gateway.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(accessToken, jwks, {
      issuer: 'http://127.0.0.1:8080',
      audience: 'shop',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload.roles).toEqual(['shopper']);
  });
});
