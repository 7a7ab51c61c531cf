import { HTTP } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServiceApp } from '../app.js';
import type { Database, Queryable } from '../db/database.js';
import type { KeyValue } from '../kv/key-value.js';
import { silentLogger } from '../logger.js';
import { writeOutbox } from '../outbox.js';
import { Problem } from '../problem.js';
import { testDatabase, testKeyValue } from '../testing/index.js';
import { defineCatalog, defineEvent, moneySchema, parseEventData } from './catalog.js';
import { buildCloudEvent, toBinaryMessage } from './cloud-event.js';
import {
  createDatabaseInbox,
  createKeyValueDeduper,
  type EventDeduper,
  type EventInbox,
} from './dedupe.js';
import { createPublisher } from './publish.js';
import { createEventReceiver, type EventHandlers, type HandlerTransaction } from './receive.js';

const catalog = defineCatalog(
  defineEvent({
    type: 'shop.thing.priced',
    description: 'A thing got a price.',
    producer: 'thing',
    consumers: ['receiver'],
    partitionKey: 'thingId',
    schema: z.object({ thingId: z.uuid(), price: moneySchema }).strict(),
  }),
  defineEvent({
    type: 'shop.thing.noticed',
    description: 'The receiver noticed a price.',
    producer: 'receiver',
    consumers: [],
    partitionKey: 'thingId',
    schema: z.object({ thingId: z.uuid(), amount: z.int() }).strict(),
  }),
  defineEvent({
    type: 'shop.thing.ignored',
    description: 'Nobody here handles it.',
    producer: 'thing',
    consumers: [],
    partitionKey: 'thingId',
    schema: z.object({ thingId: z.uuid() }).strict(),
  }),
);
type Catalog = typeof catalog;

const THING = '0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const data = { thingId: THING, price: { amount: 250, currency: 'EUR' } };

type ProblemBody = { detail?: string; errors?: { name: string; reason: string }[] };

let eventCount = 0;
/** A fresh event id per call, so tests never see each other's deliveries as duplicates. */
function priced(overrides: { data?: unknown; id?: string; requestId?: string } = {}) {
  const event = buildCloudEvent(catalog, '/shop/thing', 'shop.thing.priced', data, {
    id: overrides.id ?? `evt-${++eventCount}-${crypto.randomUUID()}`,
    traceparent: TRACEPARENT,
    ...(overrides.requestId && { requestId: overrides.requestId }),
  });
  // Data that fails the catalog cannot be built, so it is swapped in afterwards.
  return overrides.data === undefined ? event : event.cloneWith({ data: overrides.data }, false);
}

function binary(event: ReturnType<typeof priced>): RequestInit {
  const { headers, body } = toBinaryMessage(event);
  return { method: 'POST', headers, body };
}

function structured(event: ReturnType<typeof priced>): RequestInit {
  const message = HTTP.structured(event);
  return {
    method: 'POST',
    headers: message.headers as Record<string, string>,
    body: message.body as string,
  };
}

let kv: KeyValue;
let db: Database;
const cleanups: (() => Promise<void>)[] = [];
let inboxCount = 0;

beforeAll(async () => {
  const store = testKeyValue();
  kv = store.kv;
  const database = await testDatabase();
  db = database.db;
  cleanups.push(store.cleanup, database.cleanup);
});
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

interface Backend<D extends EventDeduper | EventInbox> {
  name: string;
  /** A deduper with nothing remembered yet. */
  fresh(): Promise<D>;
}

const keyValueBackend: Backend<EventDeduper> = {
  name: 'a key-value deduper',
  async fresh() {
    return createKeyValueDeduper(kv, { prefix: `dedupe:${crypto.randomUUID()}:` });
  },
};

const inboxBackend: Backend<EventInbox> = {
  name: 'a database inbox',
  async fresh() {
    // Each consuming function's migration creates this table in its own schema.
    const schema = `inbox_${++inboxCount}`;
    await db.exec(`
      CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.inbox (
        source text NOT NULL,
        id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, id)
      );
      CREATE TABLE ${schema}.effect (event_id text NOT NULL);`);
    return createDatabaseInbox({ db, schema });
  },
};

function suite<D extends EventDeduper | EventInbox>(backend: Backend<D>) {
  async function receiver(handlers: EventHandlers<Catalog, HandlerTransaction<D>>) {
    return createEventReceiver({
      catalog,
      source: '/shop/receiver',
      dedupe: await backend.fresh(),
      handlers,
      log: silentLogger(),
    });
  }

  describe(`createEventReceiver with ${backend.name}`, () => {
    it('handles a binary-mode event and answers 204 with an empty body', async () => {
      const seen: unknown[] = [];
      const app = await receiver({
        'shop.thing.priced': (event) => {
          seen.push(event);
        },
      });
      const event = priced();
      const res = await app.request('/', binary(event));
      expect(res.status).toBe(204);
      expect(await res.text()).toBe('');
      expect(seen).toEqual([
        {
          id: event.id,
          source: '/shop/thing',
          type: 'shop.thing.priced',
          subject: undefined,
          time: event.time,
          partitionKey: THING,
          traceparent: TRACEPARENT,
          data,
        },
      ]);
    });

    it('refuses with 403, handling nothing, an event whose source is not its catalogued producer', async () => {
      let handled = 0;
      const app = await receiver({
        'shop.thing.priced': () => {
          handled++;
        },
      });
      // A forged payment event names the right type with any source it likes.
      const forged = buildCloudEvent(catalog, '/shop/attacker', 'shop.thing.priced', data, {
        id: `evt-forged-${crypto.randomUUID()}`,
      });
      const res = await app.request('/', binary(forged));
      expect(res.status).toBe(403);
      expect(((await res.json()) as ProblemBody).detail).toBe(
        'shop.thing.priced is published by /shop/thing only, not by /shop/attacker.',
      );
      const structuredForgery = await app.request('/', structured(forged));
      expect(structuredForgery.status).toBe(403);
      expect(handled).toBe(0);
    });

    it('handles a structured-mode event', async () => {
      let amount = 0;
      const app = await receiver({
        'shop.thing.priced': ({ data }) => {
          amount = data.price.amount;
        },
      });
      const res = await app.request('/', structured(priced()));
      expect(res.status).toBe(204);
      expect(amount).toBe(250);
    });

    it('accepts JSON data under a content type the SDK does not parse itself', async () => {
      let amount = 0;
      const app = await receiver({
        'shop.thing.priced': ({ data }) => {
          amount = data.price.amount;
        },
      });
      const request = binary(priced());
      (request.headers as Headers).set('content-type', 'application/json;charset=UTF-8');
      expect((await app.request('/', request)).status).toBe(204);
      expect(amount).toBe(250);
    });

    it('rejects requests that are not one valid CloudEvent with 400 problem+json', async () => {
      let calls = 0;
      const app = await receiver({
        'shop.thing.priced': () => {
          calls++;
        },
      });
      const valid = binary(priced());
      const without = (name: string) => {
        const headers = new Headers(valid.headers);
        headers.delete(name);
        return { ...valid, headers };
      };
      const attempts: RequestInit[] = [
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
        without('ce-type'),
        without('ce-source'),
        { ...valid, body: '{"thingId":' },
        {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents+json' },
          body: 'garbage',
        },
        {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents-batch+json' },
          body: JSON.stringify([priced()]),
        },
        {
          ...valid,
          headers: {
            ...Object.fromEntries(new Headers(valid.headers)),
            'content-type': 'text/plain',
          },
        },
      ];
      for (const attempt of attempts) {
        const res = await app.request('/', attempt);
        expect(res.status, JSON.stringify(attempt)).toBe(400);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(await res.json()).toMatchObject({ status: 400, title: 'Invalid event' });
      }
      const missingType = await app.request('/', without('ce-type'));
      expect(((await missingType.json()) as ProblemBody).errors).toEqual([
        { name: 'event.type', reason: "must have required property 'type'" },
      ]);
      expect(calls).toBe(0);
    });

    it('rejects data that does not match the catalog with 400 naming the bad fields', async () => {
      const app = await receiver({ 'shop.thing.priced': () => {} });
      const event = priced({
        data: { thingId: 'nope', price: { amount: -1, currency: 'EUR' }, x: 1 },
      });
      const res = await app.request('/', binary(event));
      expect(res.status).toBe(400);
      const body = (await res.json()) as ProblemBody;
      expect(body.errors?.map((e) => e.name).sort()).toEqual([
        'data',
        'data.price.amount',
        'data.thingId',
      ]);
    });

    it('rejects unknown types, types without a handler here and foreign schema versions with 400', async () => {
      const app = await receiver({ 'shop.thing.priced': () => {} });
      const unknown = priced().cloneWith({ type: 'shop.thing.exploded' });
      const res = await app.request('/', binary(unknown));
      expect(res.status).toBe(400);
      expect(((await res.json()) as ProblemBody).detail).toMatch(/not in the event catalog/);

      const ignored = buildCloudEvent(catalog, '/shop/thing', 'shop.thing.ignored', {
        thingId: THING,
      });
      const notHere = await app.request('/', binary(ignored));
      expect(notHere.status).toBe(400);
      expect(await notHere.json()).toMatchObject({ title: 'Event not handled here' });

      const v2 = priced().cloneWith({
        dataschema: 'https://schemas.shop.example/events/shop.thing.priced/v2.json',
      });
      expect((await app.request('/', binary(v2))).status).toBe(400);
    });

    it('runs the handler once when the same event arrives five times in a row', async () => {
      let calls = 0;
      const app = await receiver({
        'shop.thing.priced': () => {
          calls++;
        },
      });
      const event = priced();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await app.request('/', binary(event))).status);
      expect(statuses).toEqual([204, 204, 204, 204, 204]);
      expect(calls).toBe(1);
    });

    it('runs the handler once when the same event arrives five times at once', async () => {
      let calls = 0;
      const app = await receiver({
        'shop.thing.priced': async () => {
          calls++;
          await new Promise((resolve) => setTimeout(resolve, 30));
        },
      });
      const event = priced();
      const statuses = await Promise.all(
        Array.from({ length: 5 }, async () => (await app.request('/', binary(event))).status),
      );
      expect(calls).toBe(1);
      expect(statuses).toContain(204);
      // A delivery racing the one in progress is told to come back (409 is retried).
      for (const status of statuses) expect([204, 409]).toContain(status);
      expect((await app.request('/', binary(event))).status).toBe(204);
      expect(calls).toBe(1);
    });

    it('answers 500 when the handler fails and handles the broker’s retry of the same event', async () => {
      let attempts = 0;
      const app = await receiver({
        'shop.thing.priced': () => {
          attempts++;
          if (attempts === 1) throw new Error('database password in here');
        },
      });
      const event = priced();
      const failed = await app.request('/', binary(event));
      expect(failed.status).toBe(500);
      expect(failed.headers.get('content-type')).toBe('application/problem+json');
      expect(await failed.text()).not.toContain('password');
      expect((await app.request('/', binary(event))).status).toBe(204);
      expect((await app.request('/', binary(event))).status).toBe(204);
      expect(attempts).toBe(2);
    });

    it('answers 400, for the broker to dead-letter, when the database refuses a value of the event', async () => {
      let attempts = 0;
      const app = await receiver({
        'shop.thing.priced': () => {
          attempts++;
          // What pg raises for a value a column cannot hold (here: an integer out of range).
          throw Object.assign(new Error('value "99999999999" is out of range for type integer'), {
            code: '22003',
          });
        },
      });
      const res = await app.request('/', binary(priced()));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ sqlstate: '22003' });
      expect(attempts).toBe(1);
    });

    it('passes a Problem the handler throws through with its status', async () => {
      let attempts = 0;
      const app = await receiver({
        'shop.thing.priced': () => {
          attempts++;
          throw new Problem(422, 'That thing cannot have a price.');
        },
      });
      const event = priced();
      const res = await app.request('/', binary(event));
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ detail: 'That thing cannot have a price.' });
      expect((await app.request('/', binary(event))).status).toBe(422);
      expect(attempts).toBe(2);
    });

    it('answers 500 to a handler that emits without an outbox, and runs it again on retry', async () => {
      let attempts = 0;
      const app = createEventReceiver({
        catalog,
        dedupe: await backend.fresh(),
        log: silentLogger(),
        handlers: {
          'shop.thing.priced': async (_event, { emit }) => {
            attempts++;
            await emit(undefined as never);
          },
        },
      });
      const event = priced();
      expect((await app.request('/', binary(event))).status).toBe(500);
      expect((await app.request('/', binary(event))).status).toBe(500);
      expect(attempts).toBe(2);
    });

    it('accepts what createPublisher sends', async () => {
      let amount = 0;
      const app = await receiver({
        'shop.thing.priced': ({ data }) => {
          amount = data.price.amount;
        },
      });
      const publisher = createPublisher({
        sink: 'http://receiver.test/',
        source: '/shop/thing',
        catalog,
        log: silentLogger(),
        fetch: (input, init) => Promise.resolve(app.request(String(input), init)),
      });
      await publisher.publish('shop.thing.priced', data);
      expect(amount).toBe(250);
    });

    it('runs after-commit effects once per handling that took, never for a failure or a duplicate', async () => {
      const effects: string[] = [];
      let attempts = 0;
      const app = await receiver({
        'shop.thing.priced': (event, { afterCommit }) => {
          attempts++;
          afterCommit(() => effects.push(`${event.id}:${attempts}`));
          if (attempts === 1) throw new Error('the first delivery fails after asking');
        },
      });
      const event = priced();
      expect((await app.request('/', binary(event))).status).toBe(500);
      expect(effects).toEqual([]);
      expect((await app.request('/', binary(event))).status).toBe(204);
      expect((await app.request('/', binary(event))).status).toBe(204);
      expect(effects).toEqual([`${event.id}:2`]);
    });

    it('serves under /events of a service app, with its request ids and problem instances', async () => {
      const app = createServiceApp({ service: 'receiver', log: silentLogger(), verifyToken: null });
      app.route('/events', await receiver({ 'shop.thing.priced': () => {} }));
      expect((await app.request('/events', binary(priced()))).status).toBe(204);
      const bad = await app.request('/events', { method: 'POST', body: 'x' });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({
        instance: '/events',
        requestId: expect.any(String),
      });
    });
  });
}

suite(keyValueBackend);
suite(inboxBackend);

describe('createEventReceiver with a database inbox', () => {
  it('gives the handler the inbox transaction: a failure rolls its writes back, a retry commits them', async () => {
    const inbox = await inboxBackend.fresh();
    const schema = `inbox_${inboxCount}`;
    let attempts = 0;
    const app = createEventReceiver({
      catalog,
      source: '/shop/receiver',
      dedupe: inbox,
      log: silentLogger(),
      handlers: {
        'shop.thing.priced': async (event, { tx }) => {
          attempts++;
          const write: Queryable = tx;
          await write.query(`INSERT INTO ${schema}.effect (event_id) VALUES ($1)`, [event.id]);
          if (attempts === 1) throw new Error('crash after writing');
        },
      },
    });
    const event = priced();
    expect((await app.request('/', binary(event))).status).toBe(500);
    expect((await db.query(`SELECT * FROM ${schema}.effect`)).rows).toEqual([]);
    expect((await db.query(`SELECT * FROM ${schema}.inbox`)).rows).toEqual([]);
    expect((await app.request('/', binary(event))).status).toBe(204);
    expect((await app.request('/', binary(event))).status).toBe(204);
    expect((await db.query(`SELECT event_id FROM ${schema}.effect`)).rows).toEqual([
      { event_id: event.id },
    ]);
    expect(await inbox.prune(3600)).toBe(0);
    expect(await inbox.prune(-1)).toBe(1);
  });
});

describe('createEventReceiver emitting through the outbox', () => {
  type Emits = { type: 'shop.thing.noticed'; data: { thingId: string; amount: number } };
  async function outboxReceiver(
    handler: (emit: (event: Emits) => Promise<string>) => Promise<void>,
  ) {
    const inbox = await inboxBackend.fresh();
    const schema = `inbox_${inboxCount}`;
    await db.exec(`CREATE TABLE ${schema}.outbox (
      id uuid PRIMARY KEY, type text NOT NULL, subject text, partition_key text,
      data jsonb NOT NULL, traceparent text, request_id text);`);
    let woken = 0;
    const app = createEventReceiver<Catalog, EventInbox, Emits>({
      catalog,
      dedupe: inbox,
      log: silentLogger(),
      emit: (tx, event) => {
        const data = parseEventData(catalog, event.type, event.data);
        return writeOutbox(tx, schema, { ...event, data, partitionKey: data.thingId });
      },
      onEventsRecorded: () => {
        woken++;
      },
      handlers: { 'shop.thing.priced': (_event, { emit }) => handler(emit) },
    });
    const outbox = async () =>
      (
        await db.query<{
          type: string;
          partition_key: string;
          data: unknown;
          traceparent: string;
          request_id: string | null;
        }>(`SELECT type, partition_key, data, traceparent, request_id FROM ${schema}.outbox`)
      ).rows;
    return { app, outbox, woken: () => woken };
  }

  it('writes what the handler emits to the outbox, answers 204 with an empty body, then wakes the relay', async () => {
    const { app, outbox, woken } = await outboxReceiver(async (emit) => {
      await emit({ type: 'shop.thing.noticed', data: { thingId: THING, amount: 250 } });
    });
    const res = await app.request('/', binary(priced()));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.get('ce-type')).toBeNull();
    expect(await outbox()).toEqual([
      {
        type: 'shop.thing.noticed',
        partition_key: THING,
        data: { thingId: THING, amount: 250 },
        // The emitted event continues the trace of the one that caused it.
        traceparent: TRACEPARENT,
        request_id: null,
      },
    ]);
    expect(woken()).toBe(1);
  });

  it('passes the request id of the event on to what its handler emits', async () => {
    const { app, outbox } = await outboxReceiver(async (emit) => {
      await emit({ type: 'shop.thing.noticed', data: { thingId: THING, amount: 1 } });
    });
    const event = priced({ requestId: 'req-7f3a' });
    expect(event.requestid).toBe('req-7f3a');
    expect((await app.request('/', binary(event))).status).toBe(204);
    expect((await outbox()).map((row) => row.request_id)).toEqual(['req-7f3a']);
    // One no request id could be (a forged log line) is not passed on.
    const forged = priced().cloneWith({ requestid: 'x"} {"level":60' }, false);
    expect((await app.request('/', binary(forged))).status).toBe(204);
    expect((await outbox()).map((row) => row.request_id)).toEqual(['req-7f3a', null]);
  });

  it('emits once for an event delivered again, and nothing when the handler fails after emitting', async () => {
    let attempts = 0;
    const { app, outbox, woken } = await outboxReceiver(async (emit) => {
      attempts++;
      await emit({ type: 'shop.thing.noticed', data: { thingId: THING, amount: attempts } });
      if (attempts === 1) throw new Error('crash after emitting');
    });
    const event = priced();
    expect((await app.request('/', binary(event))).status).toBe(500);
    expect(await outbox()).toEqual([]);
    expect(woken()).toBe(0);
    for (let i = 0; i < 3; i++) expect((await app.request('/', binary(event))).status).toBe(204);
    expect((await outbox()).map((row) => row.data)).toEqual([{ thingId: THING, amount: 2 }]);
    expect(woken()).toBe(1);
  });

  it('answers 500 and keeps nothing when the emitted data does not match the catalog', async () => {
    const { app, outbox } = await outboxReceiver(async (emit) => {
      await emit({ type: 'shop.thing.noticed', data: { thingId: THING, amount: 1.5 } });
    });
    expect((await app.request('/', binary(priced()))).status).toBe(500);
    expect(await outbox()).toEqual([]);
  });
});
