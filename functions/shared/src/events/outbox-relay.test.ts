import { HTTP } from 'cloudevents';
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { Lifecycle } from '../lifecycle.js';
import { silentLogger } from '../logger.js';
import { writeOutbox } from '../outbox.js';
import { type RunningServer, serve } from '../serve.js';
import { testDatabase } from '../testing/index.js';
import { defineCatalog, defineEvent, timestampSchema } from './catalog.js';
import { createOutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';
import { createPublisher } from './publish.js';

const catalog = defineCatalog(
  defineEvent({
    type: 'shop.thing.changed',
    description: 'A thing changed.',
    producer: 'thing',
    consumers: ['audit'],
    partitionKey: 'thingId',
    schema: z.object({ thingId: z.string(), step: z.int(), changedAt: timestampSchema }).strict(),
  }),
);

// The outbox table as functions/offer/migrations/002_outbox.sql creates it: every function
// that publishes through the relay creates this table in its own schema's migrations.
const outboxMigration = (schema: string) => `
  CREATE SCHEMA ${schema};
  CREATE TABLE ${schema}.outbox (
    id uuid PRIMARY KEY,
    type text NOT NULL,
    subject text,
    partition_key text,
    data jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    attempts int NOT NULL DEFAULT 0,
    last_error text
  );
  CREATE INDEX outbox_unpublished_idx ON ${schema}.outbox (created_at, id)
    WHERE published_at IS NULL;`;

interface Delivered {
  id: string;
  type: string;
  subject?: string;
  time?: string;
  partitionkey?: string;
  data: { thingId: string; step: number };
}

// A broker ingress stand-in on a real port; `answer` decides each response.
let delivered: Delivered[] = [];
let answer: (event: Delivered) => number | Promise<number> = () => 202;
let server: RunningServer;
let sink: string;

let db: Database;
let cleanup: () => Promise<void>;
let schemaCount = 0;

beforeAll(async () => {
  ({ db, cleanup } = await testDatabase());
  const app = new Hono().post('/', async (c) => {
    const event = HTTP.toEvent({
      headers: Object.fromEntries(c.req.raw.headers),
      body: await c.req.text(),
    }) as unknown as Delivered;
    const status = await answer(event);
    if (status < 300) delivered.push(event);
    return c.body(null, status as 202);
  });
  server = await serve(app, {
    port: 0,
    hostname: '127.0.0.1',
    log: silentLogger(),
    lifecycle: new Lifecycle(),
    handleSignals: false,
  });
  sink = `http://127.0.0.1:${server.port}/`;
});
afterAll(async () => {
  await server.shutdown();
  await cleanup();
});
beforeEach(() => {
  delivered = [];
  answer = () => 202;
});

async function freshOutbox(): Promise<string> {
  const schema = `relay_${++schemaCount}`;
  await db.exec(outboxMigration(schema));
  return schema;
}

async function record(schema: string, thingId: string, step: number): Promise<string> {
  return db.transaction((tx) =>
    writeOutbox(tx, schema, {
      type: 'shop.thing.changed',
      subject: thingId,
      partitionKey: thingId,
      data: { thingId, step, changedAt: new Date().toISOString() },
    }),
  );
}

function relayFor(schema: string, options: Partial<OutboxRelayOptions> = {}) {
  const log = silentLogger();
  const publisher = createPublisher({ sink, source: '/shop/thing', catalog, log });
  return createOutboxRelay({ db, schema, publisher, log, ...options });
}

async function rows(schema: string) {
  const { rows } = await db.query<{
    id: string;
    published: boolean;
    attempts: number;
    last_error: string | null;
  }>(
    `SELECT id, published_at IS NOT NULL AS published, attempts, last_error
       FROM ${schema}.outbox ORDER BY id`,
  );
  return rows;
}

describe('createOutboxRelay', () => {
  it('publishes pending rows in id order with the row id as event id, then marks them published', async () => {
    const schema = await freshOutbox();
    const ids = [
      await record(schema, 'a', 1),
      await record(schema, 'b', 1),
      await record(schema, 'a', 2),
    ];
    const relay = relayFor(schema);
    expect(await relay.drainOnce()).toBe(3);
    expect(delivered.map((e) => e.id)).toEqual(ids);
    expect(delivered[0]).toMatchObject({
      type: 'shop.thing.changed',
      subject: 'a',
      partitionkey: 'a',
      data: { thingId: 'a', step: 1 },
    });
    expect((await rows(schema)).every((row) => row.published)).toBe(true);
    expect(await relay.drainOnce()).toBe(0);
    expect(delivered).toHaveLength(3);
  });

  it('keeps a row whose publish failed with its error and publishes it on a later drain, after the backoff', async () => {
    const schema = await freshOutbox();
    await record(schema, 'a', 1);
    let now = Date.now();
    const relay = relayFor(schema, { clock: () => now, minBackoffMs: 1_000 });
    answer = () => 503;
    expect(await relay.drainOnce()).toBe(0);
    expect(await rows(schema)).toEqual([
      expect.objectContaining({
        published: false,
        attempts: 1,
        last_error: expect.stringContaining('503'),
      }),
    ]);

    answer = () => 202;
    expect(await relay.drainOnce()).toBe(0);
    now += 1_000;
    expect(await relay.drainOnce()).toBe(1);
    expect(delivered).toHaveLength(1);
    expect(await rows(schema)).toEqual([expect.objectContaining({ published: true, attempts: 1 })]);
  });

  it('holds back the later rows of a failed row’s partition key but publishes the other keys', async () => {
    const schema = await freshOutbox();
    const a1 = await record(schema, 'a', 1);
    const b1 = await record(schema, 'b', 1);
    const a2 = await record(schema, 'a', 2);
    let now = Date.now();
    const relay = relayFor(schema, { clock: () => now });
    // A 400 refuses this one event; the sink itself is fine.
    answer = (event) => (event.id === a1 ? 400 : 202);
    expect(await relay.drainOnce()).toBe(1);
    expect(delivered.map((e) => e.id)).toEqual([b1]);

    answer = () => 202;
    now += 60_000;
    expect(await relay.drainOnce()).toBe(2);
    expect(delivered.map((e) => e.id)).toEqual([b1, a1, a2]);
  });

  it('stops the batch when the sink is down instead of trying every row', async () => {
    const schema = await freshOutbox();
    for (const key of ['a', 'b', 'c']) await record(schema, key, 1);
    const attempts: string[] = [];
    answer = (event) => {
      attempts.push(event.id);
      return 503;
    };
    const relay = relayFor(schema);
    expect(await relay.drainOnce()).toBe(0);
    expect(attempts).toHaveLength(1);
  });

  it('keeps a row whose data no longer matches the catalog, without calling the sink', async () => {
    const schema = await freshOutbox();
    await db.transaction((tx) =>
      writeOutbox(tx, schema, {
        type: 'shop.thing.changed',
        partitionKey: 'a',
        data: { thingId: 'a', step: 'one' },
      }),
    );
    const b1 = await record(schema, 'b', 1);
    const relay = relayFor(schema);
    expect(await relay.drainOnce()).toBe(1);
    expect(delivered.map((e) => e.id)).toEqual([b1]);
    const [bad] = await rows(schema);
    expect(bad).toMatchObject({ published: false, attempts: 1 });
    expect(bad?.last_error).toMatch(/data\.step/);
  });

  it('publishes every event exactly once, in order per partition key, when two relays drain at once', async () => {
    const schema = await freshOutbox();
    const written: { id: string; key: string }[] = [];
    for (let step = 0; step < 60; step++) {
      const key = ['a', 'b', 'c', 'd'][step % 4]!;
      written.push({ id: await record(schema, key, step), key });
    }
    answer = async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
      return 202;
    };
    const first = relayFor(schema, { batchSize: 7 });
    const second = relayFor(schema, { batchSize: 7 });
    for (let round = 0; round < 50; round++) {
      await Promise.all([first.drainOnce(), second.drainOnce()]);
      if ((await rows(schema)).every((row) => row.published)) break;
    }
    expect((await rows(schema)).every((row) => row.published)).toBe(true);
    const ids = delivered.map((e) => e.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    for (const key of ['a', 'b', 'c', 'd']) {
      const expected = written.filter((w) => w.key === key).map((w) => w.id);
      expect(delivered.filter((e) => e.partitionkey === key).map((e) => e.id)).toEqual(expected);
    }
  });

  it('drains by itself once started, sooner when woken, and drains what is pending when stopped', async () => {
    const schema = await freshOutbox();
    await record(schema, 'a', 1);
    const relay = relayFor(schema, { intervalMs: 60_000 });
    relay.start();
    await vi.waitFor(() => expect(delivered).toHaveLength(1));
    await record(schema, 'a', 2);
    relay.wake();
    await vi.waitFor(() => expect(delivered).toHaveLength(2));
    await record(schema, 'a', 3);
    await relay.stop();
    expect(delivered.map((e) => e.data.step)).toEqual([1, 2, 3]);
    await record(schema, 'a', 4);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(delivered).toHaveLength(3);
  });

  it('reports pending events and the age of the oldest on /metrics', async () => {
    const schema = await freshOutbox();
    await record(schema, 'a', 1);
    await record(schema, 'b', 1);
    const registry = new Registry();
    const relay = relayFor(schema, { registry });
    expect(await registry.metrics()).toMatch(/^outbox_pending_events 2$/m);
    expect(await registry.metrics()).toMatch(/^outbox_oldest_pending_seconds \d/m);
    await relay.drainOnce();
    const text = await registry.metrics();
    expect(text).toMatch(/^outbox_pending_events 0$/m);
    expect(text).toMatch(/^outbox_events_published_total 2$/m);
  });
});
