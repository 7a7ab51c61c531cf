import { createMemoryKeyValue, silentLogger } from '@shop/shared';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type GatewayApp } from '../../app.js';
import { gateway } from '../../main.js';
import { upstreamUrls } from '../../routes-table.js';
import { serveOnPort0 } from '../../testing/index.js';

const KiB = 1024;
let reached: string[] = [];
const upstream = new Hono();
upstream.all('*', async (c) => {
  reached.push(c.req.path);
  return c.json({ received: (await c.req.arrayBuffer()).byteLength });
});

let upstreamServer: Awaited<ReturnType<typeof serveOnPort0>>;
let app: GatewayApp;

beforeAll(async () => {
  upstreamServer = await serveOnPort0(upstream);
  const everyUpstream = Object.fromEntries(
    Object.keys(upstreamUrls(gateway.loadConfig({}))).map((name) => [
      `${name.toUpperCase().replace('-', '_')}_URL`,
      upstreamServer.url,
    ]),
  );
  const config = gateway.loadConfig(everyUpstream);
  app = createApp({
    log: silentLogger(),
    kv: createMemoryKeyValue(),
    upstreams: upstreamUrls(config),
    verifyToken: async () => {
      throw new Error('no tokens in this test');
    },
    maxBodyBytes: config.MAX_BODY_BYTES,
    webhookMaxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
    authMaxBodyBytes: config.AUTH_MAX_BODY_BYTES,
    rateLimits: { anonymous: 10_000, user: 10_000, windowSeconds: 60 },
  });
});

beforeEach(() => {
  reached = [];
});

afterAll(async () => {
  await upstreamServer?.shutdown();
});

const post = (path: string, bytes: number) =>
  app.request(path, { method: 'POST', body: 'x'.repeat(bytes) });

describe('upstreamBodyLimit: the gateway knows each upstream body limit', () => {
  it("answers 413 itself above auth's 16 KiB, and the body never reaches auth", async () => {
    const refused = await post('/api/auth/login', 16 * KiB + 1);
    expect(refused.status).toBe(413);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(((await refused.json()) as { detail: string }).detail).toContain('auth');
    expect((await post('/api/admin/auth/keys', 300 * KiB)).status).toBe(413);
    expect(reached).toEqual([]);
    expect((await post('/api/auth/login', 16 * KiB)).status).toBe(200);
    expect(reached).toEqual(['/api/auth/login']);
  });

  it('refuses a chunked body over the limit too', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(KiB).fill(120));
        controller.close();
      },
    });
    const res = await app.request('/api/auth/login', {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(reached).toEqual([]);
  });

  it('keeps 512 KiB for webhooks and 1 MiB for the other upstreams', async () => {
    expect((await post('/webhooks/payments/stripe', 512 * KiB + 1)).status).toBe(413);
    expect((await post('/api/offers', 1024 * KiB + 1)).status).toBe(413);
    expect(reached).toEqual([]);
    expect((await post('/webhooks/payments/stripe', 512 * KiB)).status).toBe(200);
    expect((await post('/api/cart/items', 600 * KiB)).status).toBe(200);
    expect(reached).toEqual(['/webhooks/payments/stripe', '/api/cart/items']);
  });
});
