import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { createServiceApp } from './app.js';
import { createPgliteDatabase } from './db/pglite.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger } from './logger.js';
import { Problem } from './problem.js';

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    service: 'test',
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  return { log, lines };
}

function buildApp(options: Partial<Parameters<typeof createServiceApp>[0]> = {}) {
  const { log, lines } = captureLogs();
  const app = createServiceApp({
    service: 'test',
    log,
    maxBodyBytes: 1024,
    verifyToken: null,
    ...options,
  });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/items/{id}',
      request: {
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: {
          content: {
            'application/json': { schema: z.object({ name: z.string().min(1) }).strict() },
          },
        },
      },
      responses: { 201: { description: 'created' } },
    }),
    (c) => c.json({ id: c.req.valid('param').id, name: c.req.valid('json').name }, 201),
  );
  app.get('/boom', () => {
    throw new Error('secret connection string postgres://u:p@db');
  });
  app.get('/conflict', () => {
    throw new Problem(409, 'Someone else changed it.', { currentVersion: 3 });
  });
  return { app, lines };
}

const post = (body: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  body,
  headers: { 'content-type': 'application/json', ...headers },
});

describe('createServiceApp', () => {
  it('answers a valid request and logs one line with method, route, status, duration and request id', async () => {
    const { app, lines } = buildApp();
    const res = await app.request('/items/7', post('{"name":"lamp"}', { 'x-request-id': 'abc-1' }));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: 7, name: 'lamp' });
    expect(res.headers.get('x-request-id')).toBe('abc-1');
    const line = lines.find((l) => l.msg === 'request');
    expect(line).toMatchObject({
      method: 'POST',
      route: '/items/:id',
      status: 201,
      request_id: 'abc-1',
      service: 'test',
    });
    expect(typeof line?.durationMs).toBe('number');
  });

  it('generates a request id when the client sends none or an unsafe one', async () => {
    const { app } = buildApp();
    const plain = await app.request('/healthz');
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await app.request('/healthz', {
      headers: { 'x-request-id': 'fake log {"level":60}' },
    });
    expect(forged.headers.get('x-request-id')).not.toContain('fake');
  });

  it('answers validation failures with 400 problem+json naming each bad field', async () => {
    const { app } = buildApp();
    const res = await app.request('/items/-1', post('{"name":"","extra":1}'));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as { errors: { name: string }[] };
    expect(body).toMatchObject({ status: 400, title: 'Invalid request', instance: '/items/-1' });
    expect(body.errors.map((e: { name: string }) => e.name)).toContain('param.id');
  });

  it('rejects unknown body fields and malformed JSON with 400', async () => {
    const { app } = buildApp();
    const unknown = await app.request('/items/1', post('{"name":"a","admin":true}'));
    expect(unknown.status).toBe(400);
    const malformed = await app.request('/items/1', post('{"name":'));
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses bodies over the limit with 413, also when sent chunked', async () => {
    const { app } = buildApp();
    const big = JSON.stringify({ name: 'x'.repeat(4096) });
    const res = await app.request('/items/1', post(big));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(512)));
        controller.close();
      },
    });
    const streamed = await app.request('/items/1', {
      method: 'POST',
      body: chunked,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    });
    expect(streamed.status).toBe(413);
  });

  it('hides internal errors behind a generic 500 problem without stack or message', async () => {
    const { app, lines } = buildApp();
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('postgres://');
    expect(text).not.toContain('at ');
    expect(JSON.parse(text)).toMatchObject({ status: 500, title: 'Internal Server Error' });
    expect(lines.some((l) => l.msg === 'request failed')).toBe(true);
  });

  it('answers 400, never 500, when the database refuses a value of the request, and keeps what was stored', async () => {
    const db = await createPgliteDatabase();
    try {
      await db.exec('CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL)');
      const { app } = buildApp();
      app.post('/notes', async (c) => {
        const { body } = (await c.req.json()) as { body: string };
        await db.transaction(async (tx) => {
          await tx.query('INSERT INTO note VALUES (1, $1)', ['first']);
          await tx.query('INSERT INTO note VALUES (2, $1)', [body]);
        });
        return c.body(null, 201);
      });
      app.get('/since', async (c) => {
        await db.query('SELECT * FROM note WHERE $1::timestamptz < now()', [c.req.query('t')]);
        return c.body(null, 204);
      });
      await db.exec(
        "CREATE TABLE doc (body jsonb NOT NULL, country text CHECK (country ~ '^[A-Z]{2}$'))",
      );
      app.post('/docs', async (c) => {
        const body = (await c.req.json()) as { text: string; country: string | null };
        await db.query('INSERT INTO doc VALUES ($1, $2)', [JSON.stringify(body), body.country]);
        return c.body(null, 201);
      });
      const nul = await app.request('/notes', post(JSON.stringify({ body: 'a\u0000b' })));
      expect(nul.status).toBe(400);
      expect(await nul.json()).toMatchObject({ status: 400, sqlstate: '22021' });
      const year0 = await app.request('/since?t=0000-01-01T00:00:00Z');
      expect(year0.status).toBe(400);
      const surrogate = await app.request('/docs', post('{"text":"a\\udc00b","country":null}'));
      expect(surrogate.status).toBe(400);
      const country = await app.request('/docs', post('{"text":"ok","country":"de"}'));
      expect(country.status).toBe(400);
      expect((await db.query('SELECT 1 FROM doc')).rows).toEqual([]);
      // The statement failed inside its transaction: nothing of it was kept.
      expect((await db.query('SELECT id FROM note')).rows).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('passes a thrown Problem through with its extensions', async () => {
    const { app } = buildApp();
    const res = await app.request('/conflict');
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      status: 409,
      detail: 'Someone else changed it.',
      currentVersion: 3,
    });
  });

  it('answers unknown routes with 404 problem+json', async () => {
    const { app } = buildApp();
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('reports readiness from its dependency checks and lifecycle', async () => {
    const lifecycle = new Lifecycle();
    let databaseUp = true;
    const { app } = buildApp({
      lifecycle,
      readiness: {
        database: async () => {
          if (!databaseUp) throw new Error('connection refused');
        },
      },
    });
    expect((await app.request('/readyz')).status).toBe(503);
    lifecycle.markReady();
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
    databaseUp = false;
    const down = await app.request('/readyz');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ checks: { database: 'connection refused' } });
    databaseUp = true;
    lifecycle.startDraining();
    expect((await app.request('/readyz')).status).toBe(503);
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('exposes request counts and durations by route and status in Prometheus format', async () => {
    const { app } = buildApp();
    await app.request('/items/1', post('{"name":"a"}'));
    await app.request('/items/2', post('{"name":"b"}'));
    await app.request('/nope');
    const res = await app.request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    // OpenTelemetry's http.server.request.duration as its Prometheus exporter names it.
    expect(text).toContain(
      'http_server_request_duration_seconds_count{service="test",http_request_method="POST",http_route="/items/:id",http_response_status_code="201"} 2',
    );
    expect(text).toContain('http_route="unmatched",http_response_status_code="404"');
    expect(text).toMatch(
      /http_server_request_duration_seconds_bucket\{le="0.3",service="test",http_request_method="POST"/,
    );
    expect(text).not.toMatch(/http_route="\/items\/1"/);
  });
});
