import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BodyTooLargeError,
  createGateway,
  GatewayUnavailableError,
  isProxiedPath,
} from './gateway.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

// A stand-in gateway on a real socket: it answers what it was sent, with headers the proxy
// must pass back (ETag) and ones it must not (Set-Cookie).
let server: Server;
let baseUrl: string;
let seen: Seen | undefined;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      if (req.url?.startsWith('/slow')) return;
      res.writeHead(412, {
        'content-type': 'application/problem+json',
        etag: 'W/"4"',
        'set-cookie': 'gateway=1',
        'x-internal': 'secret',
      });
      res.end(JSON.stringify({ status: 412, currentVersion: 4 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the proxy to the gateway', () => {
  it('forwards only /api/admin paths, with no encoded slash or dot segment', () => {
    expect(isProxiedPath('/api/admin/offers')).toBe(true);
    expect(isProxiedPath('/api/admin/offers/0199/price')).toBe(true);
    expect(isProxiedPath('/api/auth/login')).toBe(false);
    expect(isProxiedPath('/api/adminx/offers')).toBe(false);
    expect(isProxiedPath('/api/admin/offers%2f..%2f..%2fauth')).toBe(false);
    expect(isProxiedPath('/api/admin/%2e%2e/auth')).toBe(false);
    expect(isProxiedPath('/api/admin/..\\auth')).toBe(false);
    expect(isProxiedPath(`/api/admin/${'a'.repeat(2001)}`)).toBe(false);
  });

  it('adds the session’s bearer token, passes the allowed headers only, and the answer’s ETag back', async () => {
    const gateway = createGateway({ baseUrl, timeoutMs: 2000 });
    const request = new Request('http://admin.test/api/admin/offers/1?x=1', {
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        'if-match': 'W/"3"',
        'idempotency-key': 'refund-1',
        cookie: '__Host-shop_admin=secret',
        authorization: 'Bearer forged',
        'x-forwarded-for': '10.0.0.1',
        'x-csrf-token': 'token',
      },
      body: JSON.stringify({ name: 'Kettle' }),
    });
    const answer = await gateway.forward(request, '/api/admin/offers/1?x=1', 'the-access-token', {
      maxBodyBytes: 1024,
    });
    expect(seen).toMatchObject({
      method: 'PATCH',
      url: '/api/admin/offers/1?x=1',
      body: '{"name":"Kettle"}',
    });
    expect(seen?.headers.authorization).toBe('Bearer the-access-token');
    expect(seen?.headers['if-match']).toBe('W/"3"');
    expect(seen?.headers['idempotency-key']).toBe('refund-1');
    for (const name of ['cookie', 'x-forwarded-for', 'x-csrf-token']) {
      expect(seen?.headers[name], name).toBeUndefined();
    }
    expect(answer.status).toBe(412);
    expect(answer.headers.get('etag')).toBe('W/"4"');
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(answer.headers.get('x-internal')).toBeNull();
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await answer.json()).toEqual({ status: 412, currentVersion: 4 });
  });

  it('refuses a body over the limit as it streams, whatever Content-Length says', async () => {
    const gateway = createGateway({ baseUrl, timeoutMs: 2000 });
    const request = new Request('http://admin.test/api/admin/offers', {
      method: 'POST',
      body: 'x'.repeat(2048),
    });
    await expect(
      gateway.forward(request, '/api/admin/offers', 'token', { maxBodyBytes: 1024 }),
    ).rejects.toBeInstanceOf(BodyTooLargeError);
  });

  it('gives up on a gateway that does not answer in time', async () => {
    const gateway = createGateway({ baseUrl, timeoutMs: 200 });
    await expect(
      gateway.forward(new Request('http://admin.test/slow'), '/slow', 'token', { maxBodyBytes: 1 }),
    ).rejects.toBeInstanceOf(GatewayUnavailableError);
    const down = createGateway({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 1000 });
    await expect(down.logIn('a@b.c', 'x')).rejects.toBeInstanceOf(GatewayUnavailableError);
  });
});
