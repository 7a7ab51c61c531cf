// End to end: offer → outbox → relay → local Knative Kafka Broker → Trigger → subscriber.
// In memory in unit runs; on the Kafka of KAFKA_BROKERS in integration runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventCatalog, type ShopEventData } from '@shop/eventing';
import { type RunningBroker, startBroker } from '@shop/eventing/broker';
import {
  createEventReceiver,
  createKafkajsClient,
  createKeyValueDeduper,
  createMemoryKafka,
  createMemoryKeyValue,
  type Database,
  type KafkaClient,
  Lifecycle,
  type ReceivedEvent,
  type RunningServer,
  serve,
  silentLogger,
} from '@shop/shared';
import {
  freePort,
  identityHeaders,
  testDatabase,
  testVerifyToken,
  usesRealInfrastructure,
} from '@shop/shared/testing';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildStatusEvent } from './domain/build-status-event.js';
import type { Product } from './domain/product.js';
import { events } from './events.js';
import { offer as offerFunction, type RunningOffer } from './main.js';
import { addCategory, addProduct } from './testing/fixtures.js';

const NAMESPACE = 'test';
const WAIT = { timeout: 20_000, interval: 20 };

type PriceChanged = ShopEventData<'shop.offer.price_changed'>;

/** What a Trigger subscriber handled (after dedupe) and how often each event id arrived. */
interface Subscriber {
  handled: ReceivedEvent<unknown>[];
  deliveries: Map<string, number>;
}

function subscriber(): { app: Hono; state: Subscriber } {
  const state: Subscriber = { handled: [], deliveries: new Map() };
  const record = (event: ReceivedEvent<unknown>) => {
    state.handled.push(event);
  };
  const receiver = createEventReceiver({
    catalog: eventCatalog,
    source: '/test/subscriber',
    dedupe: createKeyValueDeduper(createMemoryKeyValue()),
    log: silentLogger(),
    handlers: {
      'shop.offer.created': record,
      'shop.offer.price_changed': record,
      'shop.offer.archived': record,
      'shop.offer.unarchived': record,
    },
  });
  const app = new Hono();
  app.use(async (c, next) => {
    const id = c.req.header('ce-id') ?? '?';
    state.deliveries.set(id, (state.deliveries.get(id) ?? 0) + 1);
    await next();
  });
  app.route('/', receiver);
  return { app, state };
}

const kafka: KafkaClient = usesRealInfrastructure()
  ? createKafkajsClient({ brokers: process.env.KAFKA_BROKERS ?? '', clientId: 'offer-test' })
  : createMemoryKafka();
const brokerName = `offer${crypto.randomUUID().replaceAll('-', '').slice(0, 8)}`;
const topic = `knative-broker-${NAMESPACE}-${brokerName}`;

let db: Database;
let dropDatabase: () => Promise<void>;
let manifests: string;
let broker: RunningBroker;
let ingress: string;
let subscribers: RunningServer;
/** Trigger filtered on `type: shop.offer.price_changed`. */
const prices = subscriber();
/** Trigger on every `shop.offer.*` event, delivered in order per partition. */
const all = subscriber();
let category: string;
const running: RunningOffer[] = [];

beforeAll(async () => {
  ({ db, cleanup: dropDatabase } = await testDatabase());
  await offerFunction.applyMigrations(db);
  category = await addCategory(db, 'events');

  const app = new Hono().route('/prices', prices.app).route('/all', all.app);
  subscribers = await serve(app, {
    port: 0,
    hostname: '127.0.0.1',
    log: silentLogger(),
    lifecycle: new Lifecycle(),
    handleSignals: false,
  });
  const base = `http://127.0.0.1:${subscribers.port}`;
  manifests = mkdtempSync(join(tmpdir(), 'offer-broker-'));
  const resources = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kafka-broker-config', namespace: NAMESPACE },
      data: {
        'default.topic.partitions': '3',
        'default.topic.replication.factor': '1',
        'bootstrap.servers': 'localhost:9092',
      },
    },
    {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Broker',
      metadata: {
        name: brokerName,
        namespace: NAMESPACE,
        annotations: { 'eventing.knative.dev/broker.class': 'Kafka' },
      },
      spec: {
        config: { apiVersion: 'v1', kind: 'ConfigMap', name: 'kafka-broker-config' },
        delivery: { retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.1S' },
      },
    },
    {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: { name: 'audit-offer-price-changed', namespace: NAMESPACE },
      spec: {
        broker: brokerName,
        filters: [{ exact: { type: 'shop.offer.price_changed' } }],
        subscriber: { uri: `${base}/prices` },
      },
    },
    {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: {
        name: 'all-offer-events',
        namespace: NAMESPACE,
        annotations: { 'kafka.eventing.knative.dev/delivery.order': 'ordered' },
      },
      spec: {
        broker: brokerName,
        filters: [{ prefix: { type: 'shop.offer.' } }],
        subscriber: { uri: `${base}/all` },
      },
    },
  ];
  resources.forEach((resource, i) => {
    writeFileSync(join(manifests, `${i}.yaml`), JSON.stringify(resource));
  });
  broker = await startBroker({
    manifestsDir: manifests,
    kafka,
    port: 0,
    resolveService: (name) => {
      throw new Error(`no service ${name} in this test`);
    },
    log: silentLogger(),
  });
  ingress = broker.ingressUrl(NAMESPACE, brokerName);
});

afterAll(async () => {
  for (const offer of running) await offer.shutdown();
  await broker?.stop();
  await subscribers?.shutdown();
  await kafka
    .admin()
    .deleteTopic(topic)
    .catch(() => {});
  await kafka.close();
  if (manifests) rmSync(manifests, { recursive: true, force: true });
  await dropDatabase?.();
});

beforeEach(async () => {
  // Every offer of a test is stopped before the next, so its relay cannot publish for it.
  for (const offer of running.splice(0)) await offer.shutdown();
});

async function start(sink: string): Promise<RunningOffer> {
  const offer = await offerFunction.start({
    env: { K_SINK: sink, SEED_DEMO_DATA: 'false' },
    db,
    port: 0,
    log: silentLogger(),
    handleSignals: false,
    verifyToken: testVerifyToken,
  });
  running.push(offer);
  return offer;
}

/** A JSON request to the running offer server, over HTTP. */
function send(
  offer: RunningOffer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const signed = { ...identityHeaders({ userId: 'staff-1', roles: ['staff'] }), ...headers };
  return fetch(`http://127.0.0.1:${offer.port}${path}`, {
    method,
    headers: body === undefined ? signed : { 'content-type': 'application/json', ...signed },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

async function changePrice(offer: RunningOffer, product: Product, amount: number) {
  const res = await send(
    offer,
    'PUT',
    `/api/admin/offers/${product.id}/price`,
    { amount, currency: 'EUR' },
    {
      'if-match': `W/"${product.version}"`,
      ...identityHeaders({ userId: 'staff-5', roles: ['staff'] }),
    },
  );
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { updatedAt: string; version: number };
}

interface OutboxState {
  id: string;
  type: string;
  published: boolean;
  attempts: number;
  last_error: string | null;
}

async function outboxOf(productId: string): Promise<OutboxState[]> {
  const { rows } = await db.query<OutboxState>(
    `SELECT id, type, published_at IS NOT NULL AS published, attempts, last_error
       FROM offer.outbox WHERE subject = $1 ORDER BY id`,
    [productId],
  );
  return rows;
}

const handledFor = (state: Subscriber, productId: string) =>
  state.handled.filter((event) => event.subject === productId);

describe(`offer events through the local broker (${kafka.kind})`, () => {
  it('delivers one shop.offer.price_changed per price change to the Trigger subscriber and marks the row published', async () => {
    const offer = await start(ingress);
    const product = await addProduct(db, { category, priceAmount: 4200 });
    const changed = await changePrice(offer, product, 3900);

    await vi.waitFor(() => expect(handledFor(prices.state, product.id)).toHaveLength(1), WAIT);
    const [event] = handledFor(prices.state, product.id) as ReceivedEvent<PriceChanged>[];
    const [row] = await outboxOf(product.id);
    expect(event).toMatchObject({
      id: row?.id,
      source: '/shop/offer',
      type: 'shop.offer.price_changed',
      subject: product.id,
      partitionKey: product.id,
      data: {
        productId: product.id,
        slug: product.slug,
        previousPrice: { amount: 4200, currency: 'EUR' },
        price: { amount: 3900, currency: 'EUR' },
        changedBy: 'staff-5',
        changedAt: changed.updatedAt,
      },
    });
    expect(await outboxOf(product.id)).toEqual([
      expect.objectContaining({ type: 'shop.offer.price_changed', published: true, attempts: 0 }),
    ]);
    // Exactly once: no second delivery of it, and no second event, arrives later.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(handledFor(prices.state, product.id)).toHaveLength(1);
    expect(prices.state.deliveries.get(row?.id ?? '')).toBe(1);
  });

  it('publishes created, price_changed, archived and unarchived of a product in order', async () => {
    const offer = await start(ingress);
    const res = await send(offer, 'POST', '/api/admin/offers', {
      name: 'Event Flow Teapot',
      slug: `teapot-${crypto.randomUUID().slice(0, 8)}`,
      category,
      priceAmount: 1500,
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    for (const [verb, version] of [
      ['archive', 1],
      ['unarchive', 2],
    ] as const) {
      const edit = await send(offer, 'POST', `/api/admin/offers/${id}/${verb}`, undefined, {
        'if-match': `W/"${version}"`,
      });
      expect(edit.status).toBe(200);
    }
    const types = [
      'shop.offer.created',
      'shop.offer.price_changed',
      'shop.offer.archived',
      'shop.offer.unarchived',
    ];
    await vi.waitFor(() => expect(handledFor(all.state, id)).toHaveLength(4), WAIT);
    expect(handledFor(all.state, id).map((event) => event.type)).toEqual(types);
    expect(handledFor(all.state, id).map((event) => event.id)).toEqual(
      (await outboxOf(id)).map((row) => row.id),
    );
    // The filtered Trigger got only the price_changed of the creation.
    expect(handledFor(prices.state, id).map((event) => event.type)).toEqual([
      'shop.offer.price_changed',
    ]);
  });

  it('commits a price change while the sink is down and publishes it once the sink is back', async () => {
    const port = await freePort();
    const offer = await start(`http://127.0.0.1:${port}/${NAMESPACE}/${brokerName}`);
    const product = await addProduct(db, { category, priceAmount: 700 });
    await changePrice(offer, product, 650);

    // The relay tried, failed, and kept the row with its error.
    await vi.waitFor(async () => {
      const [row] = await outboxOf(product.id);
      expect(row).toMatchObject({ published: false, last_error: expect.any(String) });
      expect(row?.attempts).toBeGreaterThanOrEqual(1);
    }, WAIT);
    expect(handledFor(prices.state, product.id)).toHaveLength(0);

    // The sink comes back on the same address (a pass-through to the broker ingress).
    const proxy = await forward(port, ingress);
    try {
      await vi.waitFor(() => expect(handledFor(prices.state, product.id)).toHaveLength(1), WAIT);
      expect(handledFor(prices.state, product.id)[0]?.data).toMatchObject({
        previousPrice: { amount: 700, currency: 'EUR' },
        price: { amount: 650, currency: 'EUR' },
      });
      await vi.waitFor(
        async () =>
          expect(await outboxOf(product.id)).toEqual([
            expect.objectContaining({ published: true }),
          ]),
        WAIT,
      );
      await offer.shutdown();
    } finally {
      await new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      });
    }
  });

  it('publishes what is pending when shut down, before shutdown resolves', async () => {
    const offer = await start(ingress);
    const product = await addProduct(db, { category, priceAmount: 100 });
    await changePrice(offer, product, 120);
    // A row the relay was not woken for (as if written by a replica that died before
    // publishing): only the final drain of the shutdown can publish it in time.
    const archived = await addProduct(db, { category, status: 'archived' });
    await db.transaction((tx) => events.write(tx, buildStatusEvent(archived, null)));
    await offer.shutdown();

    expect(await outboxOf(product.id)).toEqual([expect.objectContaining({ published: true })]);
    expect(await outboxOf(archived.id)).toEqual([expect.objectContaining({ published: true })]);
    await vi.waitFor(() => {
      expect(handledFor(prices.state, product.id)).toHaveLength(1);
      expect(handledFor(all.state, archived.id).map((event) => event.type)).toEqual([
        'shop.offer.archived',
      ]);
    }, WAIT);
  });

  it('drains the outbox before closing a database it opened itself', async () => {
    const offer = await offerFunction.start({
      env: { K_SINK: ingress, SEED_DEMO_DATA: 'false' },
      port: 0,
      log: silentLogger(),
      handleSignals: false,
    });
    expect(offer.db).not.toBe(db);
    const own = await addCategory(offer.db, 'own');
    const product = await addProduct(offer.db, { category: own, status: 'archived' });
    await offer.db.transaction((tx) => events.write(tx, buildStatusEvent(product, null)));
    await offer.shutdown();
    await vi.waitFor(
      () =>
        expect(handledFor(all.state, product.id).map((event) => event.type)).toEqual([
          'shop.offer.archived',
        ]),
      WAIT,
    );
  });
});

/** Listens on `port` and passes every request on to `target`, answering with its response. */
async function forward(port: number, target: string): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && name !== 'host' && name !== 'connection') {
          headers.set(name, value);
        }
      }
      try {
        const response = await fetch(target, {
          method: req.method,
          headers,
          body: Buffer.concat(chunks),
        });
        res.writeHead(response.status, { 'content-type': 'text/plain' });
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
