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

// The outbox table as functions/offer/migrations/{002,003,005}_outbox*.sql leave it: every
// function that publishes through the relay creates this table in its own schema's migrations.
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
  CREATE INDEX outbox_pending_idx ON ${schema}.outbox (id) WHERE published_at IS NULL;
  CREATE INDEX outbox_pending_key_idx ON ${schema}.outbox (partition_key, id)
    WHERE published_at IS NULL;
  ALTER TABLE ${schema}.outbox
    ADD COLUMN next_attempt_at timestamptz,
    ADD COLUMN last_attempt_at timestamptz,
    ADD COLUMN parked_at timestamptz,
    ADD COLUMN parked_reason text
      CHECK (parked_reason IN ('refused', 'too_large', 'invalid', 'exhausted')),
    ADD COLUMN traceparent text,
    ADD COLUMN request_id text;`;

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

function relayFor(
  schema: string,
  options: Partial<OutboxRelayOptions> & { maxEventBytes?: number } = {},
) {
  const { maxEventBytes, ...relayOptions } = options;
  const log = relayOptions.log ?? silentLogger();
  const publisher = createPublisher({
    sink,
    source: '/shop/thing',
    catalog,
    log,
    ...(maxEventBytes !== undefined && { maxEventBytes }),
  });
  // Jitter at its top (the whole delay), so tests can step the clock past it.
  return createOutboxRelay({ db, schema, publisher, log, random: () => 0.999, ...relayOptions });
}

/** Unparks every parked row, as staff do through the admin route. */
async function unparkAll(schema: string): Promise<void> {
  await db.query(
    `UPDATE ${schema}.outbox SET parked_at = NULL, parked_reason = NULL, attempts = 0,
            next_attempt_at = NULL WHERE parked_at IS NOT NULL`,
  );
}

async function rows(schema: string) {
  const { rows } = await db.query<{
    id: string;
    published: boolean;
    attempts: number;
    last_error: string | null;
    parked_reason: string | null;
    next_attempt_at: Date | null;
    last_attempt_at: Date | null;
  }>(
    `SELECT id, published_at IS NOT NULL AS published, attempts, last_error, parked_reason,
            next_attempt_at, last_attempt_at
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

  it('keeps a sink answering 503 to one record from stalling the others: only that key waits', async () => {
    const schema = await freshOutbox();
    const a1 = await record(schema, 'a', 1);
    const a2 = await record(schema, 'a', 2);
    const b1 = await record(schema, 'b', 1);
    const c1 = await record(schema, 'c', 1);
    let now = Date.now();
    const relay = relayFor(schema, { clock: () => now, minBackoffMs: 1_000 });
    // The Knative broker answers 503 to any per-record failure (e.g. one over its size).
    answer = (event) => (event.id === a1 ? 503 : 202);
    expect(await relay.drainOnce()).toBe(2);
    expect(delivered.map((e) => e.id)).toEqual([b1, c1]);
    const [first, second] = await rows(schema);
    expect(first).toMatchObject({ published: false, attempts: 1, parked_reason: null });
    expect(first?.last_error).toContain('503');
    // Its wait is in the row (any replica honours it), and a2 waits behind it.
    expect(first?.next_attempt_at?.getTime()).toBeGreaterThan(now);
    expect(second).toMatchObject({ published: false, attempts: 0 });

    // New events of other keys keep flowing while a's retry is not due.
    const d1 = await record(schema, 'd', 1);
    expect(await relay.drainOnce()).toBe(1);
    expect(delivered.map((e) => e.id)).toEqual([b1, c1, d1]);

    answer = () => 202;
    now += 1_000;
    expect(await relay.drainOnce()).toBe(2);
    expect(delivered.map((e) => e.id)).toEqual([b1, c1, d1, a1, a2]);
  });

  it('waits longer after each failure of a row, doubling with jitter up to the cap', async () => {
    const schema = await freshOutbox();
    await record(schema, 'a', 1);
    await record(schema, 'b', 1);
    let now = Date.now();
    let jitter = 0;
    const relay = relayFor(schema, {
      clock: () => now,
      random: () => jitter,
      minBackoffMs: 1_000,
      maxBackoffMs: 4_000,
      sinkDownAfter: 100,
    });
    answer = (event) => (event.partitionkey === 'a' ? 503 : 202);
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      jitter = attempt % 2 === 0 ? 0 : 1 - 1e-9;
      await relay.drainOnce();
      const [row] = await rows(schema);
      waits.push(row!.next_attempt_at!.getTime() - row!.last_attempt_at!.getTime());
      now = row!.next_attempt_at!.getTime();
    }
    // Half the delay is fixed, half random: 1 s, 2 s, 4 s, 4 s (capped).
    expect(waits).toEqual([1_000, 1_000, 4_000, 2_000]);
    expect((await rows(schema))[0]).toMatchObject({ attempts: 4, published: false });
  });

  it('parks a record the sink refuses with a 4xx; later events of its key wait behind it until it is retried', async () => {
    const schema = await freshOutbox();
    const a1 = await record(schema, 'a', 1);
    const b1 = await record(schema, 'b', 1);
    const a2 = await record(schema, 'a', 2);
    const registry = new Registry();
    const warnings: unknown[] = [];
    const log = silentLogger();
    vi.spyOn(log, 'child').mockReturnValue(log as never);
    vi.spyOn(log, 'warn').mockImplementation(((...args: unknown[]) => {
      warnings.push(args);
    }) as never);
    let now = Date.now();
    const relay = relayFor(schema, { clock: () => now, registry, log });
    answer = (event) => (event.id === a1 ? 400 : 202);
    expect(await relay.drainOnce()).toBe(1);
    expect(delivered.map((e) => e.id)).toEqual([b1]);
    expect((await rows(schema))[0]).toMatchObject({ parked_reason: 'refused', attempts: 1 });
    expect(warnings).toEqual([
      [
        expect.objectContaining({ eventId: a1, reason: 'refused', partitionKey: 'a' }),
        expect.stringContaining('parked'),
      ],
    ]);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/^outbox_parked_events 1$/m);
    expect(metrics).toMatch(/^outbox_events_parked_total\{reason="refused"\} 1$/m);
    expect(metrics).toMatch(/^outbox_publish_failures_total\{reason="event"\} 1$/m);

    // Parked: not tried again, however long; a2 keeps its place behind it.
    answer = () => 202;
    now += 24 * 3600_000;
    expect(await relay.drainOnce()).toBe(0);
    expect(delivered).toHaveLength(1);

    await unparkAll(schema);
    expect(await relay.drainOnce()).toBe(2);
    expect(delivered.map((e) => e.id)).toEqual([b1, a1, a2]);
    expect(await registry.metrics()).toMatch(/^outbox_parked_events 0$/m);
  });

  it('never lets the rows held behind a parked one fill the batch: other keys still go out', async () => {
    const schema = await freshOutbox();
    const a1 = await record(schema, 'a', 0);
    for (let step = 1; step <= 6; step++) await record(schema, 'a', step);
    answer = (event) => (event.id === a1 ? 422 : 202);
    const relay = relayFor(schema, { batchSize: 2 });
    expect(await relay.drainOnce()).toBe(0);
    const b1 = await record(schema, 'b', 1);
    expect(await relay.drainOnce()).toBe(1);
    expect(delivered.map((e) => e.id)).toEqual([b1]);
  });

  it('parks a record over the size limit without sending it', async () => {
    const schema = await freshOutbox();
    const big = await db.transaction((tx) =>
      writeOutbox(tx, schema, {
        type: 'shop.thing.changed',
        partitionKey: 'a',
        data: { thingId: 'x'.repeat(2_000), step: 1, changedAt: new Date().toISOString() },
      }),
    );
    const b1 = await record(schema, 'b', 1);
    const sent: string[] = [];
    answer = (event) => {
      sent.push(event.id);
      return 202;
    };
    const relay = relayFor(schema, { maxEventBytes: 1_500 });
    expect(await relay.drainOnce()).toBe(1);
    expect(sent).toEqual([b1]);
    const parked = (await rows(schema)).find((row) => row.id === big);
    expect(parked).toMatchObject({ parked_reason: 'too_large', published: false });
    expect(parked?.last_error).toMatch(/over the broker's limit of 1500 bytes/);
  });

  it('backs off, never parks, when the sink refuses the sender (401, 403): a token or policy problem', async () => {
    const schema = await freshOutbox();
    const a1 = await record(schema, 'a', 1);
    let now = Date.now();
    const relay = relayFor(schema, { clock: () => now });
    for (const status of [401, 403]) {
      answer = () => status;
      now += 3600_000;
      await relay.drainOnce();
      const [row] = await rows(schema);
      expect(row?.parked_reason ?? null).toBeNull();
    }
    answer = () => 202;
    now += 3600_000;
    expect(await relay.drainOnce()).toBe(1);
    expect(delivered.map((e) => e.id)).toEqual([a1]);
  });

  it('parks a row out of attempts while the sink takes other events, but none during an outage', async () => {
    const schema = await freshOutbox();
    const a1 = await record(schema, 'a', 1);
    let now = Date.now();
    const relay = relayFor(schema, { clock: () => now, maxAttempts: 3, minBackoffMs: 10 });
    // An outage: every record fails, a1 runs out of attempts, and stays unparked.
    answer = () => 503;
    for (let i = 0; i < 6; i++) {
      await relay.drainOnce();
      now += 60_000;
    }
    expect((await rows(schema))[0]).toMatchObject({ parked_reason: null, published: false });
    expect((await rows(schema))[0]!.attempts).toBeGreaterThanOrEqual(3);

    // The sink is back but refuses a1 only: once other events go through, a1 is parked.
    answer = (event) => (event.id === a1 ? 503 : 202);
    await record(schema, 'b', 1);
    await relay.drainOnce();
    now += 60_000;
    await relay.drainOnce();
    const [row] = await rows(schema);
    expect(row).toMatchObject({ parked_reason: 'exhausted', published: false });
    expect(row?.last_error).toContain('503');
  });

  it('stops the batch and pauses when the sink is down instead of trying every row', async () => {
    const schema = await freshOutbox();
    for (const key of ['a', 'b', 'c', 'd', 'e']) await record(schema, key, 1);
    const attempts: string[] = [];
    answer = (event) => {
      attempts.push(event.id);
      return 503;
    };
    let now = Date.now();
    const relay = relayFor(schema, { clock: () => now, sinkDownAfter: 3, minBackoffMs: 1_000 });
    expect(await relay.drainOnce()).toBe(0);
    expect(attempts).toHaveLength(3);
    // Paused: a drain right after does not call the sink.
    expect(await relay.drainOnce()).toBe(0);
    expect(attempts).toHaveLength(3);
    answer = () => 202;
    now += 60_000;
    expect(await relay.drainOnce()).toBe(5);
  });

  it('parks a row whose data no longer matches the catalog, without calling the sink', async () => {
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
    expect(bad).toMatchObject({ published: false, attempts: 1, parked_reason: 'invalid' });
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
