// The platform as a story needs it, in this process: auth, user, offer, cart, conversion-webhook,
// redirect and attribution behind the gateway, the payment simulator, and the local broker on
// the repository's own manifests (its Triggers, the analytics KafkaSource, the EventPolicies and
// OIDC), renamed so the suite has topics and consumer groups of its own. Memory Kafka in
// `npm test` (the process's shared log, which redirect writes its clicks to), real Kafka
// through kafkajs in `test:integration`.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  analyticsIngest as analyticsIngestFunction,
  type RunningAnalyticsIngest,
} from '@shop/analytics-ingest';
import { gateway as gatewayFunction, type RunningGateway } from '@shop/api-gateway';
import { attribution as attributionFunction, type RunningAttribution } from '@shop/attribution';
import { auth as authFunction, createStaffUser, type RunningAuth } from '@shop/auth';
import { cart as cartFunction, createPaymentClient, type RunningCart } from '@shop/cart';
import {
  conversionWebhook as conversionWebhookFunction,
  DEV_STRIPE_WEBHOOK_SECRET,
  type RunningConversionWebhook,
} from '@shop/conversion-webhook';
import {
  createOidcIssuer,
  loadManifests,
  type RunningBroker,
  startBroker,
  subscriberVerifier,
} from '@shop/eventing/broker';
import { offer as offerFunction, type RunningOffer } from '@shop/offer';
import { type RunningRedirect, redirect as redirectFunction } from '@shop/redirect';
import {
  type RunningPaymentSimulator,
  startPaymentSimulator,
} from '@shop/scripts/payment-simulator';
import {
  createKafkajsClient,
  createLogger,
  type KafkaClient,
  sharedMemoryKafka,
  silentLogger,
} from '@shop/shared';
import { testDatabase, testKeyValue, usesRealInfrastructure } from '@shop/shared/testing';
import { user as userFunction } from '@shop/user';
import { expect } from 'vitest';
import { address, callGateway, freePorts, PASSWORD, startForStory } from './shopper.js';

const EVENTING_DIR = fileURLToPath(new URL('../../../knative/eventing/', import.meta.url));

/** A CloudEvent the broker carried: its attributes (from the `ce_*` headers) and data. */
export interface CarriedEvent {
  type: string;
  source: string;
  id: string;
  /** The request that started it (the kit's `requestid` extension), if it named one. */
  requestid: string | undefined;
  data: Record<string, unknown>;
}

export interface StoryPlatform {
  gateway: RunningGateway;
  auth: RunningAuth;
  offer: RunningOffer;
  cart: RunningCart;
  webhook: RunningConversionWebhook;
  redirect: RunningRedirect;
  attribution: RunningAttribution;
  ingest: RunningAnalyticsIngest;
  broker: RunningBroker;
  simulator: RunningPaymentSimulator;
  /** The suite's analytics topic (what redirect writes and the KafkaSource reads). */
  analyticsTopic: string;
  /** A JSON call through the gateway. */
  call: (
    method: string,
    path: string,
    options?: Parameters<typeof callGateway>[3],
  ) => ReturnType<typeof callGateway>;
  /** A write key of a new analytics source, made by staff through the gateway. */
  writeKey(): Promise<string>;
  /** A new shopper, signed up and logged in: their access token. */
  signUpAndLogIn(name: string): Promise<string>;
  /** A staff member's access token (made as `create-staff` makes one). */
  asStaff(): Promise<string>;
  /** A product created by staff at offer: its id. */
  newProduct(priceAmount: number): Promise<string>;
  /** Points the storefront's Trigger (option `storefront`) at the site running at `url`. */
  attachStorefront(url: string): void;
  /** Staff give a product a new price in EUR (offer records `shop.offer.price_changed`). */
  setPrice(productId: string, amount: number): Promise<void>;
  /** A call to the simulator's provider API (as the shop's payment client makes them). */
  provider(path: string, body?: unknown): Promise<Record<string, unknown>>;
  /** Polls `read` until `done` holds for its answer (20 s at most), returning the last answer. */
  until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T>;
  /** Every event on the suite's broker topic so far, read by a consumer group of its own. */
  brokerEvents(type?: string): Promise<CarriedEvent[]>;
  /** Every event on the suite's analytics topic so far (clicks, Segment calls). */
  analyticsEvents(type?: string): Promise<CarriedEvent[]>;
  stop(): Promise<void>;
}

/**
 * The manifests of the repository in a temporary folder: the broker renamed to `broker` (a
 * topic of its own) with fast retries and no dead-letter sink, the analytics KafkaSource on
 * `topic` with a consumer group of this run, every Trigger of a function started here.
 */
function copyManifests(broker: string, topic: string, functions: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'story-'));
  const read = (file: string) => readFileSync(join(EVENTING_DIR, file), 'utf8');
  const withoutDeadLetter = (text: string) =>
    text.replace(/\n\s+deadLetterSink:\n(\s+ref:[^\n]*\n?)(\s{6,}[^\n]*\n?)*/g, '\n');
  writeFileSync(
    join(dir, 'kafka-broker-config.yaml'),
    read('kafka-broker-config.yaml')
      .replace(/default\.topic\.partitions: "\d+"/, 'default.topic.partitions: "1"')
      .replace(
        /default\.topic\.replication\.factor: "\d+"/,
        'default.topic.replication.factor: "1"',
      ),
  );
  writeFileSync(
    join(dir, 'broker.yaml'),
    withoutDeadLetter(
      read('broker-default.yaml')
        .replace(/name: default\n/, `name: ${broker}\n`)
        .replace(/backoffDelay: PT[\d.]+S/, 'backoffDelay: PT0.1S'),
    ),
  );
  for (const file of readdirSync(EVENTING_DIR)) {
    if (!functions.some((fn) => file.startsWith(`trigger-${fn}-`))) continue;
    writeFileSync(
      join(dir, file),
      withoutDeadLetter(
        read(file)
          .replace(/broker: default/, `broker: ${broker}`)
          .replace(/backoffDelay: PT[\d.]+S/g, 'backoffDelay: PT0.1S'),
      ),
    );
  }
  writeFileSync(
    join(dir, 'kafka-source.yaml'),
    withoutDeadLetter(
      read('kafka-source-analytics-attribution.yaml')
        .replaceAll('shop-analytics', topic)
        .replace(/consumerGroup: \S+/, `consumerGroup: ${topic}-attribution`)
        .replace(/backoffDelay: PT[\d.]+S/g, 'backoffDelay: PT0.1S'),
    ),
  );
  writeFileSync(join(dir, 'config-features.yaml'), read('config-features.yaml'));
  writeFileSync(
    join(dir, 'event-policies.yaml'),
    read('event-policies.yaml').replace(
      /kind: Broker, name: default \}/,
      `kind: Broker, name: ${broker} }`,
    ),
  );
  return dir;
}

/**
 * An HTTP forwarder on a port bound now: what it gets goes to the URL `target` names (503 until
 * then, which the broker retries). The broker resolves its subscribers at start, before a site
 * started after it has a port; a port chosen early and bound late could be taken meanwhile.
 */
async function startForwarder(): Promise<{
  url: string;
  target(url: string): void;
  close(): Promise<void>;
}> {
  let to: string | undefined;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!to) {
      res.writeHead(503).end();
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (name === 'host' || name === 'connection' || value === undefined) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    try {
      const answer = await fetch(new URL(req.url ?? '/', to), {
        method: req.method ?? 'POST',
        headers,
        ...(chunks.length > 0 && { body: Buffer.concat(chunks) }),
      });
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    target(url) {
      to = url;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Starts the platform of ARCHITECTURE's first story (and the purchase loop); `stop()` undoes
 * everything.
 * @example const shop = await startStoryPlatform(); const token = await shop.signUpAndLogIn('ada');
 */
export async function startStoryPlatform(
  options: {
    /** More settings of the payment simulator (e.g. its chaos: duplicates, reordering). */
    simulatorEnv?: Record<string, string>;
    /**
     * Wire the storefront's Trigger: the catalog's events go to a forwarder bound now, which
     * passes them to the site `attachStorefront(url)` names once it runs;
     * `broker.subscriberEnv('storefront')` is what the site's /events trusts.
     */
    storefront?: boolean;
  } = {},
): Promise<StoryPlatform> {
  const suffix = crypto.randomUUID().replaceAll('-', '').slice(0, 8);
  const brokerName = `story${suffix}`;
  const analyticsTopic = `shop-analytics-story-${suffix}`;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const log = process.env.STORY_LOG
    ? createLogger({ service: 'story', level: 'warn' })
    : silentLogger();
  const [shopDb, webhookDb, authDb, linksDb, attributionDb, ingestDb, userDb] = await Promise.all([
    testDatabase(),
    testDatabase(),
    testDatabase(),
    testDatabase(),
    testDatabase(),
    testDatabase(),
    testDatabase(),
  ]);
  const kv = testKeyValue();
  cleanups.push(
    shopDb.cleanup,
    webhookDb.cleanup,
    authDb.cleanup,
    linksDb.cleanup,
    attributionDb.cleanup,
    ingestDb.cleanup,
    userDb.cleanup,
    kv.cleanup,
  );
  const real = usesRealInfrastructure();
  const kafkaEnv = real ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS } : {};

  const manifestsDir = copyManifests(brokerName, analyticsTopic, [
    'cart',
    'attribution',
    'user',
    'auth',
    ...(options.storefront ? ['storefront'] : []),
  ]);
  cleanups.push(() => rmSync(manifestsDir, { recursive: true, force: true }));
  const manifests = loadManifests(manifestsDir);
  const oidc = createOidcIssuer({ issuer: 'http://story.broker.test' });

  const kafka: KafkaClient = real
    ? createKafkajsClient({ brokers: process.env.KAFKA_BROKERS ?? '', clientId: 'story' })
    : sharedMemoryKafka();
  // The subscribers' ports are chosen before the broker starts (it resolves its sinks
  // at start); deliveries retry until they listen there.
  const [cartPort, attributionPort, userPort, authPort] = await freePorts(4);
  const attributionUrl = `http://127.0.0.1:${attributionPort}`;
  const userUrl = `http://127.0.0.1:${userPort}`;
  const authUrl = `http://127.0.0.1:${authPort}`;
  const storefrontEvents = options.storefront ? await startForwarder() : undefined;
  if (storefrontEvents) cleanups.push(() => storefrontEvents.close());
  const broker = await startBroker({
    manifestsDir,
    kafka,
    oidc,
    port: 0,
    log,
    resolveService: (name) => {
      if (name === 'cart') return `http://127.0.0.1:${cartPort}`;
      if (name === 'attribution') return attributionUrl;
      if (name === 'user') return userUrl;
      if (name === 'auth') return authUrl;
      if (name === 'storefront' && storefrontEvents) return storefrontEvents.url;
      throw new Error(`no local service ${name} in this story`);
    },
  });
  const topic = `knative-broker-shop-${brokerName}`;
  cleanups.unshift(async () => {
    await broker.stop();
    const admin = kafka.admin();
    for (const name of [
      topic,
      analyticsTopic,
      `${analyticsTopic}-overflow`,
      `${analyticsTopic}-historical`,
    ]) {
      await admin.deleteTopic(name).catch(() => {});
    }
    await kafka.close();
  });

  // auth publishes its events (shop.user.registered for user) and ends an erased user's sessions.
  const auth = await startForStory(
    cleanups,
    authFunction,
    {
      verifyEventSender: subscriberVerifier(oidc, manifests, 'auth'),
      sinkToken: () => broker.publisherToken('auth', { namespace: 'shop', name: brokerName }),
      env: { K_SINK: broker.ingressUrl('shop', brokerName) },
      db: authDb.db,
      kv: kv.kv,
      log,
    },
    authPort,
  );
  // offer publishes its catalog events (the storefront's cache follows them).
  const offer = await startForStory(cleanups, offerFunction, {
    sinkToken: () => broker.publisherToken('offer', { namespace: 'shop', name: brokerName }),
    env: {
      SEED_DEMO_DATA: 'true',
      AUTH_URL: authUrl,
      K_SINK: broker.ingressUrl('shop', brokerName),
    },
    db: shopDb.db,
    log,
  });
  // user makes the profile when auth's shop.user.registered reaches it through the broker.
  await startForStory(
    cleanups,
    userFunction,
    {
      verifyEventSender: subscriberVerifier(oidc, manifests, 'user'),
      sinkToken: () => broker.publisherToken('user', { namespace: 'shop', name: brokerName }),
      env: { K_SINK: broker.ingressUrl('shop', brokerName), AUTH_URL: authUrl },
      db: userDb.db,
      log,
    },
    userPort,
  );

  // The simulator's URL is known only after the gateway it calls is up: a late-bound client.
  let paymentProviderUrl = '';
  const cart = await startForStory(
    cleanups,
    cartFunction,
    {
      verifyEventSender: subscriberVerifier(oidc, manifests, 'cart'),
      sinkToken: () => broker.publisherToken('cart', { namespace: 'shop', name: brokerName }),
      env: {
        OFFER_URL: `http://127.0.0.1:${offer.port}`,
        OFFER_CACHE_MS: '0',
        AUTH_URL: authUrl,
        K_SINK: broker.ingressUrl('shop', brokerName),
      },
      db: shopDb.db,
      kv: kv.kv,
      services: {
        payments: {
          createIntent: (input) =>
            createPaymentClient({
              baseUrl: paymentProviderUrl,
              apiKey: 'sk_test_simulator',
            }).createIntent(input),
          createRefund: (input) =>
            createPaymentClient({
              baseUrl: paymentProviderUrl,
              apiKey: 'sk_test_simulator',
            }).createRefund(input),
        },
      },
      log,
    },
    cartPort,
  );
  const redirect = await startForStory(cleanups, redirectFunction, {
    env: {
      SEED_DEMO_DATA: 'true',
      ANALYTICS_TOPIC: analyticsTopic,
      CLICK_LINGER_MS: '20',
      ...kafkaEnv,
    },
    db: linksDb.db,
    kv: kv.kv,
    log,
  });

  const attribution = await startForStory(
    cleanups,
    attributionFunction,
    {
      verifyEventSender: subscriberVerifier(oidc, manifests, 'attribution'),
      sinkToken: () =>
        broker.publisherToken('attribution', { namespace: 'shop', name: brokerName }),
      env: { K_SINK: broker.ingressUrl('shop', brokerName), AUTH_URL: authUrl },
      db: attributionDb.db,
      log,
    },
    attributionPort,
  );

  const ingest = await startForStory(cleanups, analyticsIngestFunction, {
    env: {
      ANALYTICS_TOPIC: analyticsTopic,
      ANALYTICS_OVERFLOW_TOPIC: `${analyticsTopic}-overflow`,
      ANALYTICS_HISTORICAL_TOPIC: `${analyticsTopic}-historical`,
      ANALYTICS_WRITE_KEY_SECRET: crypto.randomUUID() + crypto.randomUUID(),
      AUTH_URL: authUrl,
      ...kafkaEnv,
    },
    db: ingestDb.db,
    kv: kv.kv,
    log,
  });

  const webhook = await startForStory(cleanups, conversionWebhookFunction, {
    sinkToken: () =>
      broker.publisherToken('conversion-webhook', { namespace: 'shop', name: brokerName }),
    env: {
      K_SINK: broker.ingressUrl('shop', brokerName),
      STRIPE_WEBHOOK_SECRET: DEV_STRIPE_WEBHOOK_SECRET,
    },
    db: webhookDb.db,
    log,
  });
  const gateway = await startForStory(cleanups, gatewayFunction, {
    env: {
      AUTH_URL: authUrl,
      OFFER_URL: `http://127.0.0.1:${offer.port}`,
      CART_URL: `http://127.0.0.1:${cart.port}`,
      CONVERSION_WEBHOOK_URL: `http://127.0.0.1:${webhook.port}`,
      REDIRECT_URL: redirect.url,
      ATTRIBUTION_URL: attributionUrl,
      ANALYTICS_INGEST_URL: ingest.url,
      USER_URL: userUrl,
    },
    kv: kv.kv,
    log,
  });
  const simulator = await startPaymentSimulator({
    env: {
      SIMULATOR_WEBHOOK_URL: `${gateway.url}/webhooks/payments/stripe`,
      STRIPE_WEBHOOK_SECRET: DEV_STRIPE_WEBHOOK_SECRET,
      SIMULATOR_RETRY_BASE_MS: '50',
      ...options.simulatorEnv,
    },
    port: 0,
    log,
    handleSignals: false,
  });
  paymentProviderUrl = simulator.url;
  cleanups.unshift(() => simulator.shutdown());

  const call: StoryPlatform['call'] = (method, path, options) =>
    callGateway(gateway.url, method, path, options);
  let staffToken: string | undefined;
  const asStaff = async () => {
    if (staffToken) return staffToken;
    const email = `story-staff-${crypto.randomUUID()}@example.com`;
    await createStaffUser(auth.db, { email, name: 'Story staff', password: PASSWORD });
    const login = await call('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    staffToken = String(login.body.accessToken);
    return staffToken;
  };
  return {
    gateway,
    auth,
    offer,
    cart,
    webhook,
    redirect,
    attribution,
    ingest,
    broker,
    simulator,
    analyticsTopic,
    call,
    asStaff,
    async writeKey() {
      const created = await call('POST', '/api/admin/analytics/sources', {
        token: await asStaff(),
        body: { name: `story-${crypto.randomUUID().slice(0, 8)}`, site: 'storefront' },
      });
      expect(created.status).toBe(201);
      return String(created.body.writeKey);
    },
    async signUpAndLogIn(name) {
      const email = `${name}-${crypto.randomUUID()}@example.com`;
      const signup = await call('POST', '/api/auth/signup', {
        body: { email, password: PASSWORD, name, locale: 'en-GB' },
      });
      expect(signup.status).toBe(201);
      const login = await call('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
      expect(login.status).toBe(200);
      return String(login.body.accessToken);
    },
    async newProduct(priceAmount) {
      const res = await fetch(`http://127.0.0.1:${offer.port}/api/admin/offers`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await asStaff()}`,
        },
        body: JSON.stringify({
          name: `Story kettle ${crypto.randomUUID().slice(0, 8)}`,
          category: 'kitchen',
          priceAmount,
          stock: 10,
        }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    },
    attachStorefront(url) {
      if (!storefrontEvents) throw new Error('start the story platform with { storefront: true }');
      storefrontEvents.target(url);
    },
    async setPrice(productId, amount) {
      const base = `http://127.0.0.1:${offer.port}/api/admin/offers/${productId}`;
      const authorization = `Bearer ${await asStaff()}`;
      const current = await fetch(base, { headers: { authorization } });
      expect(current.status).toBe(200);
      const res = await fetch(`${base}/price`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          authorization,
          'if-match': current.headers.get('etag') ?? '',
        },
        body: JSON.stringify({ amount, currency: 'EUR' }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    },
    async provider(path, body) {
      const res = await fetch(`${simulator.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: 'Bearer sk_test_simulator',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    },
    async until(read, done) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const value = await read();
        if (done(value) || Date.now() > deadline) return value;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    brokerEvents: (type) => eventsOn(topic, type),
    analyticsEvents: (type) => eventsOn(analyticsTopic, type),
    async stop() {
      for (const cleanup of cleanups) await cleanup();
    },
  };

  /** The CloudEvents on `topic` so far, read from the start by a consumer group of its own. */
  async function eventsOn(topic: string, type?: string): Promise<CarriedEvent[]> {
    const admin = kafka.admin();
    const ends = await admin.topicOffsets(topic);
    const wanted = ends.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
    const seen: CarriedEvent[] = [];
    if (wanted === 0) return seen;
    const group = kafka.consumerGroup({
      groupId: `story-reader-${crypto.randomUUID()}`,
      topic,
      startAt: 'earliest',
    });
    let count = 0;
    const all = new Promise<void>((resolve) => {
      void group.run({
        async onBatch(batch) {
          for (const record of batch.records) {
            count++;
            const header = (name: string) => record.headers[name]?.toString() ?? '';
            seen.push({
              type: header('ce_type'),
              source: header('ce_source'),
              id: header('ce_id'),
              requestid: record.headers.ce_requestid?.toString(),
              data: JSON.parse(record.value?.toString() ?? '{}') as Record<string, unknown>,
            });
          }
          if (count >= wanted) resolve();
        },
      });
    });
    await Promise.race([all, new Promise((r) => setTimeout(r, 10_000))]);
    await group.stop();
    return type ? seen.filter((event) => event.type === type) : seen;
  }
}

export { address };
