// The whole platform in one process for the fuzz suite: the gateway and every function it routes
// to that exists here, on embedded defaults (one PGlite holding every function's schema, so one
// query digests all stored state; an in-memory key-value store), limits raised so the fuzzer
// reaches the handlers instead of the rate limiters.
import {
  events as analyticsIngestEvents,
  analyticsIngest as analyticsIngestFunction,
} from '@shop/analytics-ingest';
import { gateway as gatewayFunction } from '@shop/api-gateway';
import { events as attributionEvents, attribution as attributionFunction } from '@shop/attribution';
import { events as auditEvents, audit as auditFunction } from '@shop/audit';
import { events as authEvents, auth as authFunction } from '@shop/auth';
import { events as cartEvents, cart as cartFunction } from '@shop/cart';
import {
  events as conversionWebhookEvents,
  conversionWebhook as conversionWebhookFunction,
} from '@shop/conversion-webhook';
import {
  events as featureFlagEvents,
  featureFlag as featureFlagFunction,
} from '@shop/feature-flag';
import { events as offerEvents, offer as offerFunction } from '@shop/offer';
import { events as redirectEvents, redirect as redirectFunction } from '@shop/redirect';
import { type Database, functionAudience, silentLogger } from '@shop/shared';
import { testDatabase, testKeyValue, testVerifyEventSender } from '@shop/shared/testing';
import { events as userEvents, user as userFunction } from '@shop/user';
import { PASSWORD, startForStory } from '../testing/shopper.js';

/** A started function whose `/events` the fuzzer may post to. */
export interface EventConsumer {
  name: string;
  url: string;
  consumes: readonly string[];
}

/** What the fuzz suite talks to. */
export interface Platform {
  gatewayUrl: string;
  /** Every started function but the gateway, for the operations the gateway does not route. */
  functions: { name: string; url: string }[];
  /** The one database every function keeps its schema in. */
  db: Database;
  consumers: EventConsumer[];
  staff: { email: string; password: string };
  /** The demo analytics source's write key (Segment calls with it get past the key check). */
  analyticsWriteKey: string;
  cleanups: (() => Promise<unknown> | unknown)[];
}

const UNLIMITED = { limit: 1_000_000, windowSeconds: 60 };

// Consumers accept the test OIDC issuer's tokens for their own audience, as in the cluster they
// accept the broker's (send-event.ts presents them).
const trustTestSender = (name: string) => testVerifyEventSender(functionAudience(name));

/**
 * Starts auth, user, offer (demo catalog), cart (a fake payment provider), conversion-webhook
 * (dev secrets) and the gateway in front of them; `cleanups` stops them, last started first.
 * @example const platform = await startPlatform(); … for (const c of platform.cleanups) await c();
 */
export async function startPlatform(): Promise<Platform> {
  const log = silentLogger();
  const cleanups: Platform['cleanups'] = [];
  const database = await testDatabase();
  const kv = testKeyValue();
  cleanups.push(database.cleanup, kv.cleanup);
  const { db } = database;
  const staff = { email: `staff-${crypto.randomUUID()}@example.com`, password: PASSWORD };

  const auth = await startForStory(cleanups, authFunction, {
    verifyEventSender: trustTestSender('auth'),
    env: { DEV_STAFF_EMAIL: staff.email, DEV_STAFF_PASSWORD: staff.password },
    db,
    kv: kv.kv,
    log,
    services: {
      limits: {
        loginPerIp: UNLIMITED,
        signupPerIp: UNLIMITED,
        loginPerAccountAndIp: {
          freeAttempts: 1_000_000,
          baseDelaySeconds: 1,
          maxDelaySeconds: 1,
          forgetAfterSeconds: 60,
        },
      },
    },
  });
  // Every function verifies access tokens itself, against auth's keys and revoked sessions.
  const user = await startForStory(cleanups, userFunction, {
    env: { AUTH_URL: auth.url },
    db,
    log,
    verifyEventSender: trustTestSender('user'),
  });
  const offer = await startForStory(cleanups, offerFunction, {
    env: { SEED_DEMO_DATA: 'true', AUTH_URL: auth.url },
    db,
    log,
  });
  const cart = await startForStory(cleanups, cartFunction, {
    verifyEventSender: trustTestSender('cart'),
    env: { OFFER_URL: offer.url, OFFER_CACHE_MS: '0', AUTH_URL: auth.url },
    db,
    kv: kv.kv,
    log,
    services: {
      payments: {
        createIntent: async ({ orderId }) => ({
          id: `pi_${orderId.replaceAll('-', '')}`,
          clientSecret: `pi_${orderId.replaceAll('-', '')}_secret`,
          redirectUrl: null,
        }),
        createRefund: async ({ idempotencyKey, amount }) => ({
          id: `re_${idempotencyKey}`,
          amount,
          status: 'succeeded',
        }),
      },
    },
  });
  const webhook = await startForStory(cleanups, conversionWebhookFunction, {
    env: { AUTH_URL: auth.url },
    db,
    log,
  });
  // The five functions added with the growth work, each on its embedded defaults: the shared
  // in-memory Kafka log for redirect's clicks and analytics-ingest's calls, a write-key secret
  // and audit's signing key made for this run (its checkpoints kept in memory). Each trusts the test sender for its own name.
  const shared = { db, kv: kv.kv, log };
  const redirect = await startForStory(cleanups, redirectFunction, {
    verifyEventSender: trustTestSender('redirect'),
    env: { SEED_DEMO_DATA: 'true', AUTH_URL: auth.url },
    ...shared,
  });
  const analyticsWriteKey = `wk_fuzz_${crypto.randomUUID().replaceAll('-', '')}`;
  const analyticsIngest = await startForStory(cleanups, analyticsIngestFunction, {
    verifyEventSender: trustTestSender('analytics-ingest'),
    env: { AUTH_URL: auth.url, ANALYTICS_DEMO_WRITE_KEY: analyticsWriteKey },
    ...shared,
  });
  const attribution = await startForStory(cleanups, attributionFunction, {
    verifyEventSender: trustTestSender('attribution'),
    env: { AUTH_URL: auth.url },
    ...shared,
  });
  const featureFlag = await startForStory(cleanups, featureFlagFunction, {
    verifyEventSender: trustTestSender('feature-flag'),
    env: { SEED_DEMO_DATA: 'true', AUTH_URL: auth.url, OFREP_MAX_RPS: '0' },
    ...shared,
  });
  const audit = await startForStory(cleanups, auditFunction, {
    verifyEventSender: trustTestSender('audit'),
    env: { AUTH_URL: auth.url },
    ...shared,
  });
  const gateway = await startForStory(cleanups, gatewayFunction, {
    env: {
      AUTH_URL: auth.url,
      USER_URL: user.url,
      OFFER_URL: offer.url,
      CART_URL: cart.url,
      CONVERSION_WEBHOOK_URL: webhook.url,
      REDIRECT_URL: redirect.url,
      ANALYTICS_INGEST_URL: analyticsIngest.url,
      ATTRIBUTION_URL: attribution.url,
      FEATURE_FLAG_URL: featureFlag.url,
      AUDIT_URL: audit.url,
      RATE_LIMIT_ANONYMOUS: '1000000',
      RATE_LIMIT_USER: '1000000',
    },
    kv: kv.kv,
    log,
  });
  const consumers: EventConsumer[] = [
    { name: 'auth', url: auth.url, consumes: authEvents.consumes },
    { name: 'user', url: user.url, consumes: userEvents.consumes },
    { name: 'offer', url: offer.url, consumes: offerEvents.consumes },
    { name: 'cart', url: cart.url, consumes: cartEvents.consumes },
    { name: 'conversion-webhook', url: webhook.url, consumes: conversionWebhookEvents.consumes },
    { name: 'redirect', url: redirect.url, consumes: redirectEvents.consumes },
    {
      name: 'analytics-ingest',
      url: analyticsIngest.url,
      consumes: analyticsIngestEvents.consumes,
    },
    { name: 'attribution', url: attribution.url, consumes: attributionEvents.consumes },
    { name: 'feature-flag', url: featureFlag.url, consumes: featureFlagEvents.consumes },
    { name: 'audit', url: audit.url, consumes: auditEvents.consumes },
  ].filter((consumer) => consumer.consumes.length > 0);
  const functions = [
    { name: 'auth', url: auth.url },
    { name: 'user', url: user.url },
    { name: 'offer', url: offer.url },
    { name: 'cart', url: cart.url },
    { name: 'conversion-webhook', url: webhook.url },
    { name: 'redirect', url: redirect.url },
    { name: 'analytics-ingest', url: analyticsIngest.url },
    { name: 'attribution', url: attribution.url },
    { name: 'feature-flag', url: featureFlag.url },
    { name: 'audit', url: audit.url },
  ];
  return {
    gatewayUrl: gateway.url,
    functions,
    db,
    consumers,
    staff,
    analyticsWriteKey,
    cleanups,
  };
}
