import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP } from 'cloudevents';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createServiceApp } from '../app.js';
import { defineCatalog, defineEvent } from '../events/catalog.js';
import { silentLogger } from '../logger.js';
import { identityHeaders, testDatabase, testVerifyToken } from '../testing/index.js';
import { defineEvents } from './define-events.js';
import { defineFunction } from './define-function.js';

const catalog = defineCatalog(
  defineEvent({
    type: 'shop.thing.renamed',
    description: 'A thing got a new name.',
    producer: 'thing',
    consumers: ['audit'],
    partitionKey: 'thingId',
    schema: z.object({ thingId: z.string(), name: z.string() }).strict(),
  }),
);
const events = defineEvents({ catalog, producer: 'thing', publishes: ['shop.thing.renamed'] });

/** A function with an outbox, a route that records an event, and a table kept 30 days. */
const thing = defineFunction({
  name: 'thing',
  port: 8196,
  database: { migrations: new URL('./testdata/migrations/', import.meta.url) },
  events,
  retention: [
    {
      table: 'thing.webhook',
      column: 'received_at',
      keepDays: 30,
      why: 'providers retry for 3 days',
    },
  ],
  createApp: ({ db, log, lifecycle, metrics, onEventsRecorded, verifyToken }) => {
    const app = createServiceApp({ service: 'thing', log, lifecycle, metrics, verifyToken });
    app.post('/things/:id', async (c) => {
      const id = c.req.param('id');
      await db.transaction((tx) =>
        events.write(tx, { type: 'shop.thing.renamed', data: { thingId: id, name: 'new' } }),
      );
      onEventsRecorded();
      return c.body(null, 201);
    });
    return app;
  },
});

/** A broker ingress stand-in: `refuse` decides which events get a 400. */
async function startSink(refuse: (thingId: string) => boolean) {
  const received: string[] = [];
  /** The `requestid` extension of each event taken, by thing id. */
  const requestIds = new Map<string, unknown>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const event = HTTP.toEvent({
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString(),
      }) as { data: { thingId: string }; requestid?: unknown };
      if (refuse(event.data.thingId)) return res.writeHead(400).end('refused');
      received.push(event.data.thingId);
      requestIds.set(event.data.thingId, event.requestid);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shop/default`;
  return {
    url,
    received,
    requestIds,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const quiet = { log: silentLogger(), handleSignals: false, port: 0, verifyToken: testVerifyToken };
const staff = identityHeaders({ userId: crypto.randomUUID(), roles: ['staff'] });
const shopper = identityHeaders({ userId: crypto.randomUUID(), roles: ['shopper'] });

describe('defineFunction with an outbox', () => {
  it('shows staff the events the relay parked and publishes one again once retried', async () => {
    const { db, cleanup } = await testDatabase();
    let refusing = true;
    const sink = await startSink((thingId) => refusing && thingId === 'bad');
    try {
      const running = await thing.start({ ...quiet, env: { K_SINK: sink.url }, db });
      for (const id of ['bad', 'good']) {
        expect((await fetch(`${running.url}/things/${id}`, { method: 'POST' })).status).toBe(201);
      }
      await vi.waitFor(() => expect(sink.received).toEqual(['good']));
      const parkedUrl = `${running.url}/api/admin/events/thing/parked`;
      await vi.waitFor(async () => {
        const list = await fetch(parkedUrl, { headers: staff });
        expect(list.status).toBe(200);
        expect(await list.json()).toEqual({
          events: [
            expect.objectContaining({
              type: 'shop.thing.renamed',
              partitionKey: 'bad',
              reason: 'refused',
              attempts: 1,
              lastError: expect.stringContaining('400'),
              heldBack: 0,
            }),
          ],
        });
      });
      const [parked] = (
        (await (await fetch(parkedUrl, { headers: staff })).json()) as {
          events: { id: string }[];
        }
      ).events;

      // Staff only, checked by the function itself.
      expect((await fetch(parkedUrl)).status).toBe(401);
      expect((await fetch(parkedUrl, { headers: shopper })).status).toBe(403);
      const retryUrl = `${parkedUrl}/${parked!.id}/retry`;
      expect((await fetch(retryUrl, { method: 'POST', headers: shopper })).status).toBe(403);
      expect(
        (
          await fetch(`${parkedUrl}/${crypto.randomUUID()}/retry`, {
            method: 'POST',
            headers: staff,
          })
        ).status,
      ).toBe(404);

      refusing = false;
      expect((await fetch(retryUrl, { method: 'POST', headers: staff })).status).toBe(204);
      await vi.waitFor(() => expect(sink.received).toEqual(['good', 'bad']));
      expect(await (await fetch(parkedUrl, { headers: staff })).json()).toEqual({ events: [] });
      const metrics = await (await fetch(`${running.url}/metrics`)).text();
      expect(metrics).toMatch(/^outbox_parked_events\{service="thing"\} 0$/m);
      expect(metrics).toMatch(
        /^outbox_events_parked_total\{reason="refused",service="thing"\} 1$/m,
      );
      await running.shutdown();
    } finally {
      await sink.close();
      await cleanup();
    }
  });

  it('publishes each event with the request that caused it, and never a forged one', async () => {
    const { db, cleanup } = await testDatabase();
    const sink = await startSink(() => false);
    try {
      const running = await thing.start({ ...quiet, env: { K_SINK: sink.url }, db });
      const named = await fetch(`${running.url}/things/named`, {
        method: 'POST',
        headers: { 'x-request-id': 'req-checkout-42' },
      });
      expect(named.headers.get('x-request-id')).toBe('req-checkout-42');
      // An id that could forge a log line or a header is replaced by one the kit makes.
      const forged = await fetch(`${running.url}/things/forged`, {
        method: 'POST',
        headers: { 'x-request-id': 'x"} {"level":60,"msg":"forged' },
      });
      const madeId = forged.headers.get('x-request-id');
      expect(madeId).toMatch(/^[0-9a-f-]{36}$/);
      await vi.waitFor(() => expect(sink.received).toHaveLength(2));
      expect(sink.requestIds.get('named')).toBe('req-checkout-42');
      expect(sink.requestIds.get('forged')).toBe(madeId);
      const { rows } = await db.query<{ request_id: string }>(
        'SELECT request_id FROM thing.outbox ORDER BY id',
      );
      expect(rows.map((row) => row.request_id)).toEqual(['req-checkout-42', madeId]);
      await running.shutdown();
    } finally {
      await sink.close();
      await cleanup();
    }
  });

  it('applies its declared retention at start: older rows go, newer ones stay', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      await thing.applyMigrations(db);
      await db.exec(`
        CREATE TABLE thing.webhook (id text PRIMARY KEY, received_at timestamptz NOT NULL);
        INSERT INTO thing.webhook VALUES
          ('old', now() - interval '31 days'), ('new', now() - interval '29 days');`);
      const running = await thing.start({ ...quiet, env: {}, db });
      await running.shutdown(); // waits for the prune that started with it
      const { rows } = await db.query<{ id: string }>('SELECT id FROM thing.webhook');
      expect(rows.map((row) => row.id)).toEqual(['new']);
    } finally {
      await cleanup();
    }
  });
});
