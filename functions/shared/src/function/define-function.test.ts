import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ServiceEnv } from '../app.js';
import { createServiceApp } from '../app.js';
import { defineCatalog, defineEvent } from '../events/catalog.js';
import { silentLogger } from '../logger.js';
import { testDatabase, testKeyValue } from '../testing/index.js';
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
  defineEvent({
    type: 'shop.other.happened',
    description: 'Something of another function.',
    producer: 'other',
    consumers: ['thing'],
    partitionKey: 'otherId',
    schema: z.object({ otherId: z.string() }).strict(),
  }),
);

const events = defineEvents({
  catalog,
  producer: 'thing',
  publishes: ['shop.thing.renamed'],
  consumes: ['shop.other.happened'],
});

/** A small function as a real one declares itself: a route that writes a row and its event. */
const thing = defineFunction({
  name: 'thing',
  port: 8199,
  config: { GREETING: z.string().default('hello') },
  database: { migrations: new URL('./testdata/migrations/', import.meta.url) },
  keyValue: true,
  events,
  services: () => ({ clock: () => new Date('2026-01-01T00:00:00Z') }),
  createApp: ({ db, log, lifecycle, metrics, config, clock, onEventsRecorded, verifyToken }) => {
    const app = createServiceApp({ service: 'thing', log, lifecycle, metrics, verifyToken });
    app.get('/hello', (c) => c.json({ greeting: config.GREETING, now: clock().toISOString() }));
    app.post('/things/:id', async (c) => {
      const id = c.req.param('id');
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO thing.item (id, name) VALUES ($1, $2)', [id, 'new']);
        await events.write(tx, {
          type: 'shop.thing.renamed',
          data: { thingId: id, name: 'new' },
          subject: id,
        });
      });
      onEventsRecorded();
      return c.body(null, 201);
    });
    return app;
  },
});

/** A broker ingress stand-in that answers 202 and keeps the CloudEvents headers it got. */
async function startSink() {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(202).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shop/default`;
  return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

const quiet = { log: silentLogger(), handleSignals: false, port: 0 };

describe('defineFunction', () => {
  it('starts from the declaration: config, migrations, services, app, outbox relay to K_SINK', async () => {
    const { db, cleanup } = await testDatabase();
    const store = testKeyValue();
    const sink = await startSink();
    try {
      const running = await thing.start({
        ...quiet,
        env: { K_SINK: sink.url, GREETING: 'hi' },
        db,
        kv: store.kv,
      });
      expect(running.config.PORT).toBe(8199);
      expect(running.config.RUN_MIGRATIONS).toBe(true);
      expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
      expect(await (await fetch(`${running.url}/hello`)).json()).toEqual({
        greeting: 'hi',
        now: '2026-01-01T00:00:00.000Z',
      });
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${running.url}/things/t-1`, { method: 'POST' })).status).toBe(201);
      await running.shutdown();
      // The outbox drained before shutdown finished, with the source derived from the name.
      expect(sink.received).toHaveLength(1);
      expect(sink.received[0]).toMatchObject({
        'ce-type': 'shop.thing.renamed',
        'ce-source': '/shop/thing',
        'ce-subject': 't-1',
        'ce-partitionkey': 't-1',
      });
      // Injected stores stay open for their owner.
      await db.ping();
      await store.kv.ping();
    } finally {
      await sink.close();
      await store.cleanup();
      await cleanup();
    }
  });

  it('prunes handled events past the retention from the inbox at start, keeping recent ones', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      await thing.applyMigrations(db);
      await db.query(
        `INSERT INTO thing.inbox (source, id, received_at) VALUES
           ('/shop/other', 'old', now() - interval '31 days'), ('/shop/other', 'new', now())`,
      );
      const running = await thing.start({ ...quiet, env: {}, db });
      await running.shutdown(); // waits for the prune that started with it
      const { rows } = await db.query<{ id: string }>('SELECT id FROM thing.inbox');
      expect(rows.map((row) => row.id)).toEqual(['new']);
    } finally {
      await cleanup();
    }
  });

  it('lets start options replace services (tests pass fakes)', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      const running = await thing.start({
        ...quiet,
        env: {},
        db,
        services: { clock: () => new Date('2030-05-05T00:00:00Z') },
      });
      const body = (await (await fetch(`${running.url}/hello`)).json()) as { now: string };
      expect(body.now).toBe('2030-05-05T00:00:00.000Z');
      await running.shutdown();
    } finally {
      await cleanup();
    }
  });

  it('with RUN_MIGRATIONS=false refuses a database with pending migrations, naming the command', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      await expect(thing.start({ ...quiet, env: { RUN_MIGRATIONS: 'false' }, db })).rejects.toThrow(
        /001_thing\.sql.*npm run migrate -w @shop\/thing/,
      );
      await expect(thing.checkSchema(db)).rejects.toThrow(/not current/);
      expect((await thing.applyMigrations(db)).applied).toEqual(['001_thing.sql']);
      await expect(thing.checkSchema(db)).resolves.toBeUndefined();
    } finally {
      await cleanup();
    }
  });

  it('refuses an invalid environment naming each bad variable', () => {
    expect(() => thing.loadConfig({ PORT: 'eighty', K_SINK: 'nowhere' })).toThrow(
      /PORT[\s\S]*K_SINK/,
    );
    expect(thing.loadConfig({ DATABASE_URL: 'postgres://db/shop' }).RUN_MIGRATIONS).toBe(false);
    expect(
      thing.loadConfig({ RUN_MIGRATIONS: 'true', DATABASE_URL: 'postgres://db/x' }).RUN_MIGRATIONS,
    ).toBe(true);
  });

  it('runs the migration job against the configured database and closes it', async () => {
    const result = await thing.migrate({ env: {}, log: silentLogger() });
    expect(result.applied).toEqual(['001_thing.sql']);
  });

  it('keeps the app type createApp returns', async () => {
    const documented = defineFunction({
      name: 'documented',
      port: 8198,
      createApp: ({ log }) => {
        const app = new OpenAPIHono<ServiceEnv>();
        app.get('/ping', (c) => c.text(log ? 'pong' : ''));
        return app;
      },
    });
    const running = await documented.start({ ...quiet, env: {} });
    // An OpenAPIHono stays one: its document methods are there without a cast.
    expect(typeof running.app.doc31).toBe('function');
    expect(await (await fetch(`${running.url}/ping`)).text()).toBe('pong');
    await running.shutdown();
    expect(() => documented.migrations).toThrow(/declares no database/);
  });

  it('serves /healthz, /readyz and /metrics on the opsPort only, the rest on PORT only', async () => {
    const fronted = defineFunction({
      name: 'fronted',
      port: 8197,
      config: { OPS_PORT: z.coerce.number().int().min(0).default(9197) },
      opsPort: (config) => config.OPS_PORT,
      createApp: ({ log, lifecycle, metrics, verifyToken }) => {
        const app = createServiceApp({ service: 'fronted', log, lifecycle, metrics, verifyToken });
        app.get('/hello', (c) => c.text('hi'));
        return app;
      },
    });
    const running = await fronted.start({ ...quiet, env: {} });
    try {
      expect(running.opsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(running.opsUrl).not.toBe(running.url);
      for (const path of ['/healthz', '/readyz', '/metrics', '/metrics?x=1']) {
        const refused = await fetch(`${running.url}${path}`);
        expect(refused.status).toBe(404);
        expect(refused.headers.get('content-type')).toBe('application/problem+json');
      }
      expect((await fetch(`${running.opsUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${running.opsUrl}/readyz`)).status).toBe(200);
      const metrics = await fetch(`${running.opsUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('http_server_request_duration_seconds');
      expect((await fetch(`${running.opsUrl}/hello`)).status).toBe(404);
      expect(await (await fetch(`${running.url}/hello`)).text()).toBe('hi');
    } finally {
      await running.shutdown();
    }
    await expect(fetch(`${running.opsUrl}/healthz`)).rejects.toThrow();
    // Without opsPort, PORT keeps serving them (cluster-internal functions).
    const plain = await thing.start({ ...quiet, env: {} });
    try {
      expect(plain.opsUrl).toBeUndefined();
      expect((await fetch(`${plain.url}/healthz`)).status).toBe(200);
    } finally {
      await plain.shutdown();
    }
  });

  it('does nothing on import when the module is not the script node runs', () => {
    expect(() => thing.runIfEntryPoint(import.meta.url)).not.toThrow();
  });
});

describe('defineEvents', () => {
  it('derives the source and schema from the producer', () => {
    expect(events.source).toBe('/shop/thing');
    expect(events.schema).toBe('thing');
    expect(defineEvents({ catalog, producer: 'conversion-webhook' }).schema).toBe(
      'conversion_webhook',
    );
  });

  it('refuses to publish a type the catalog gives to another producer', () => {
    expect(() =>
      defineEvents({ catalog, producer: 'thing', publishes: ['shop.other.happened'] }),
    ).toThrow(/catalog names other as its producer/);
  });

  it('refuses to consume a type the catalog does not deliver to it', () => {
    expect(() =>
      defineEvents({ catalog, producer: 'other', consumes: ['shop.other.happened'] }),
    ).toThrow(/does not list it as a consumer/);
  });

  it('writes only declared types, checked against the catalog', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      await thing.applyMigrations(db);
      await db.transaction(async (tx) => {
        await expect(
          // @ts-expect-error: thing does not declare that it publishes shop.other.happened
          events.write(tx, { type: 'shop.other.happened', data: { otherId: 'x' } }),
        ).rejects.toThrow(/does not publish/);
        await expect(
          // @ts-expect-error: name is missing
          events.write(tx, { type: 'shop.thing.renamed', data: { thingId: 'x' } }),
        ).rejects.toThrow(/data.name/);
      });
      const { rows } = await db.query('SELECT 1 FROM thing.outbox');
      expect(rows).toHaveLength(0);
    } finally {
      await cleanup();
    }
  });

  it('builds a receiver only for declared types', () => {
    const log = silentLogger();
    expect(() =>
      events.receiver({
        log,
        dedupe: { run: async () => ({ duplicate: true as const }), prune: async () => 0 },
        // @ts-expect-error: thing does not consume shop.thing.renamed
        handlers: { 'shop.thing.renamed': async () => {} },
      }),
    ).toThrow(/without declaring/);
  });
});
