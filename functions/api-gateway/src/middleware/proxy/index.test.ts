import { request as httpRequest } from 'node:http';
import { createMemoryKeyValue, createServiceApp, silentLogger } from '@shop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app.js';
import { gateway as gatewayFunction } from '../../main.js';
import { upstreamUrls } from '../../routes-table.js';
import { serveOnPort0 } from '../../testing/index.js';

// An upstream built as auth is (the shared service app, 16 KiB body limit) on a real socket.
const upstream = createServiceApp({
  service: 'auth',
  log: silentLogger(),
  maxBodyBytes: 16 * 1024,
  verifyToken: null,
});
upstream.post('/api/auth/login', async (c) => c.json({ received: (await c.req.text()).length }));
upstream.get('/api/auth/session', (c) => c.json({ ok: true }));

let upstreamServer: Awaited<ReturnType<typeof serveOnPort0>>;
let gateway: Awaited<ReturnType<typeof serveOnPort0>>;

beforeAll(async () => {
  upstreamServer = await serveOnPort0(upstream);
  const config = gatewayFunction.loadConfig({ AUTH_URL: upstreamServer.url });
  const app = createApp({
    log: silentLogger(),
    kv: createMemoryKeyValue(),
    upstreams: upstreamUrls(config),
    verifyToken: async () => {
      throw new Error('no tokens in this test');
    },
    // The gateway's own limit would answer first; these tests aim at the upstream's.
    maxBodyBytes: 8 * 1024 * 1024,
    upstreamBodyLimits: {},
    rateLimits: { anonymous: 10_000, user: 10_000, windowSeconds: 60 },
  });
  gateway = await serveOnPort0(app);
});

afterAll(async () => {
  await gateway?.shutdown();
  await upstreamServer?.shutdown();
});

/** A POST sent with a Content-Length, on a connection of its own (another client). */
function post(path: string, body: Buffer | string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${gateway.url}${path}`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    // The upstream may answer (and the gateway pass the 413 on) before all of it is written.
    req.on('error', reject);
    req.end(body);
  });
}

describe('proxy: an upstream that answers before reading the body', () => {
  it('passes a 413 back and every other client request on the same upstream still succeeds', async () => {
    const big = Buffer.alloc(300 * 1024, 97);
    for (let round = 0; round < 5; round++) {
      const refused = await post('/api/auth/login', big).catch(() => ({ status: -1, body: '' }));
      expect(refused.status).toBe(413);
      const parallel = await Promise.all([
        fetch(`${gateway.url}/api/auth/session`),
        post('/api/auth/login', '{"a":1}'),
        fetch(`${gateway.url}/api/auth/session`),
        post('/api/auth/login', '{"b":2}'),
      ]);
      expect(parallel.map((res) => res.status)).toEqual([200, 200, 200, 200]);
      for (let i = 0; i < 3; i++) {
        expect((await fetch(`${gateway.url}/api/auth/session`)).status).toBe(200);
        expect((await post('/api/auth/login', '{"c":3}')).status).toBe(200);
      }
    }
  });
});
