import { request as httpRequest } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { createMemoryKeyValue, silentLogger } from '@shop/shared';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { gateway as gatewayFunction } from './main.js';
import { upstreamUrls } from './routes-table.js';
import { serveOnPort0 } from './testing/index.js';

const MiB = 1024 * 1024;

/** Resolvers the upstream and the test use to step through a streamed exchange together. */
function signal() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

let firstChunkSent = signal();
let releaseRest = signal();
let requestChunkSeen = signal();

const upstream = new Hono();
upstream.get('/api/offers/big', (c) => {
  const chunk = new Uint8Array(64 * 1024).fill(97);
  return stream(c, async (s) => {
    await s.write(chunk);
    firstChunkSent.resolve();
    await releaseRest.promise;
    for (let i = 0; i < 79; i++) await s.write(chunk);
  });
});
upstream.post('/api/offers/upload', async (c) => {
  const reader = c.req.raw.body?.getReader();
  let total = 0;
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    total += next.value.length;
    requestChunkSeen.resolve();
  }
  return c.json({ received: total });
});
upstream.get('/api/offers/slow', async (c) => {
  await new Promise((done) => setTimeout(done, 2_000));
  return c.json({ late: true });
});
upstream.get('/r/:code', (c) => c.redirect('https://landing.example/summer', 302));
upstream.get('/api/offers/headers', (c) => {
  c.header('vary', 'Accept-Language');
  c.header('content-security-policy', 'default-src *');
  c.header('set-cookie', 'a=1; Path=/', { append: true });
  c.header('set-cookie', 'b=2; Path=/', { append: true });
  return c.json({ ok: true });
});

let upstreamServer: Awaited<ReturnType<typeof serveOnPort0>>;
let gateway: Awaited<ReturnType<typeof serveOnPort0>>;
let refusedUrl: string;
let garbageUrl: string;
const garbageSockets = new Set<Socket>();
const garbage = createServer((socket) => {
  garbageSockets.add(socket);
  socket.end('this is not HTTP\r\n\r\n');
});

beforeAll(async () => {
  upstreamServer = await serveOnPort0(upstream);
  // A port nothing listens on: take a free one and close it again.
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const address = probe.address();
  refusedUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 1}`;
  await new Promise((done) => probe.close(done));
  await new Promise<void>((done) => garbage.listen(0, '127.0.0.1', done));
  const garbageAddress = garbage.address();
  garbageUrl = `http://127.0.0.1:${typeof garbageAddress === 'object' && garbageAddress ? garbageAddress.port : 1}`;
  const urls = upstreamUrls(gatewayFunction.loadConfig({}));
  const app = createApp({
    log: silentLogger(),
    kv: createMemoryKeyValue(),
    upstreams: {
      ...urls,
      offer: upstreamServer.url,
      redirect: upstreamServer.url,
      cart: refusedUrl,
      'feature-flag': garbageUrl,
    },
    verifyToken: async () => {
      throw new Error('no tokens in this suite');
    },
    upstreamTimeoutMs: 300,
    maxBodyBytes: 8 * MiB,
  });
  gateway = await serveOnPort0(app);
});
afterAll(async () => {
  await gateway.shutdown();
  await upstreamServer.shutdown();
  for (const socket of garbageSockets) socket.destroy();
  await new Promise((done) => garbage.close(done));
});

describe('forwarding', () => {
  it('merges the gateway headers into the answer: Vary combined, its CSP wins, cookies kept', async () => {
    const res = await fetch(`${gateway.url}/api/offers/headers`, {
      headers: { 'x-request-id': 'merge-1' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('content-length')).toBe('11');
    expect(res.headers.get('vary')).toBe('Accept-Language, Origin');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(res.headers.get('x-request-id')).toBe('merge-1');
    expect(res.headers.get('ratelimit-limit')).toBe('600');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
  });

  it('streams a large response: the first bytes arrive before the upstream has finished', async () => {
    firstChunkSent = signal();
    releaseRest = signal();
    const res = await fetch(`${gateway.url}/api/offers/big`);
    expect(res.status).toBe(200);
    const reader = res.body?.getReader();
    const first = await reader?.read();
    expect(first?.value?.length).toBeGreaterThan(0);
    // Only now may the upstream send the rest: a buffering gateway would never get here.
    releaseRest.resolve();
    let total = first?.value?.length ?? 0;
    for (;;) {
      const next = await reader?.read();
      if (!next || next.done) break;
      total += next.value.length;
    }
    expect(total).toBe(80 * 64 * 1024);
  });

  it('streams a request body: the upstream reads it while the client is still sending', async () => {
    requestChunkSeen = signal();
    const size = 2 * MiB;
    const chunk = Buffer.alloc(256 * 1024, 98);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${gateway.url}/api/offers/upload`,
        { method: 'POST', headers: { 'content-length': String(size) } },
        (res) => {
          let body = '';
          res.on('data', (data) => {
            body += data;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write(chunk);
      // The rest is sent only once the upstream has seen the beginning.
      requestChunkSeen.promise.then(() => {
        for (let sent = chunk.length; sent < size; sent += chunk.length) req.write(chunk);
        req.end();
      });
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ received: size });
  });

  it('passes an upstream redirect through without following it', async () => {
    const res = await fetch(`${gateway.url}/r/summer-sale`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://landing.example/summer');
  });

  it('answers 503 upstream unavailable when the upstream refuses connections', async () => {
    const res = await fetch(`${gateway.url}/api/cart`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem.title).toBe('upstream unavailable');
    expect(problem.upstream).toBe('cart');
    expect(JSON.stringify(problem)).not.toContain('127.0.0.1');
    expect(JSON.stringify(problem)).not.toContain('ECONNREFUSED');
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    const res = await fetch(`${gateway.url}/api/offers/slow`);
    expect(res.status).toBe(504);
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem.upstream).toBe('offer');
  });

  it('answers 502 naming the upstream when it answers something that is not HTTP', async () => {
    const res = await fetch(`${gateway.url}/ofrep/v1/evaluate/flags`);
    expect(res.status).toBe(502);
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem.upstream).toBe('feature-flag');
    expect(JSON.stringify(problem)).not.toContain('127.0.0.1');
  });

  /** The X-Forwarded-For an upstream gets for a client that sent `sent`. */
  const forwardedFor = async (sent: string, trustedProxyHops: number) => {
    const echo = new Hono();
    echo.all('*', (c) => c.json({ xff: c.req.header('x-forwarded-for') ?? null }));
    const target = await serveOnPort0(echo);
    const app = createApp({
      log: silentLogger(),
      kv: createMemoryKeyValue(),
      upstreams: { ...upstreamUrls(gatewayFunction.loadConfig({})), offer: target.url },
      trustedProxyHops,
      verifyToken: async () => {
        throw new Error('unused');
      },
    });
    const server = await serveOnPort0(app);
    try {
      const res = await fetch(`${server.url}/api/offers`, {
        headers: { 'x-forwarded-for': sent },
      });
      return ((await res.json()) as { xff: string | null }).xff;
    } finally {
      await server.shutdown();
      await target.shutdown();
    }
  };

  it('sets x-forwarded-for from the socket address when no proxy is trusted', async () => {
    // The client's own claim is dropped.
    expect(await forwardedFor('203.0.113.9', 0)).toBe('127.0.0.1');
  });

  it('forwards only the address the trusted proxy saw, never the chain a client began', async () => {
    // Behind the ingress (1 hop), a client writes X-Forwarded-For itself and the ingress
    // appends the address it saw. auth and redirect take the first entry they get: had the
    // chain been passed on, the forged 198.51.100.66 would have been the client's address for
    // auth's sign-in limits, a new one for every attempt.
    expect(await forwardedFor('198.51.100.66, 203.0.113.9', 1)).toBe('203.0.113.9');
    expect(await forwardedFor('192.0.2.1, 198.51.100.66, 203.0.113.9', 1)).toBe('203.0.113.9');
  });
});
