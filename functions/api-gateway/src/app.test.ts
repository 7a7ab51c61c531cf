import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayApp } from './app.js';
import {
  createTestGateway,
  type Echo,
  makeKey,
  signToken,
  startFakeUpstreams,
  type TestKey,
  unsignedToken,
} from './testing/index.js';

let upstreams: Awaited<ReturnType<typeof startFakeUpstreams>>;
let key: TestKey;
let app: GatewayApp;
let shopper: string;
let staff: string;

beforeAll(async () => {
  key = await makeKey('key-1');
  upstreams = await startFakeUpstreams([key]);
  app = createTestGateway(upstreams.urls, { corsOrigins: ['http://127.0.0.1:4321'] });
  shopper = await signToken(key, { sub: 'shopper-1', email: 'ada@example.com', sid: 'sid-1' });
  staff = await signToken(key, { sub: 'staff-1', roles: ['shopper', 'staff'] });
});
afterAll(() => upstreams.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function echo(res: Response): Promise<Echo> {
  expect(res.status).toBe(200);
  return (await res.json()) as Echo;
}

describe('routing', () => {
  it.each([
    ['/api/auth/login', 'auth'],
    ['/.well-known/openid-configuration', 'auth'],
    ['/api/users/me', 'user'],
    ['/api/offers', 'offer'],
    ['/api/offers/123?x=1', 'offer'],
    ['/api/categories', 'offer'],
    ['/api/cart', 'cart'],
    ['/api/cart/items', 'cart'],
    ['/api/cart/checkout', 'cart'],
    ['/r/summer-sale', 'redirect'],
    ['/r/summer-sale?sub=7', 'redirect'],
    ['/webhooks/payments/stripe', 'conversion-webhook'],
    ['/ofrep/v1/evaluate/flags', 'feature-flag'],
    ['/api/analytics/v1/batch', 'analytics-ingest'],
    ['/api/admin/auth/keys/rotate', 'auth'],
    ['/api/admin/users', 'user'],
    ['/api/admin/offers/1', 'offer'],
    ['/api/admin/flags', 'feature-flag'],
    ['/api/admin/links', 'redirect'],
    ['/api/admin/links/0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b/stats?days=7', 'redirect'],
    ['/api/admin/events/redirect/parked', 'redirect'],
    [
      '/api/admin/attribution/totals?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
      'attribution',
    ],
    ['/api/admin/reports/sales.csv', 'reporting'],
    ['/api/admin/audit/verify', 'audit'],
    ['/api/admin/notifications', 'notification'],
  ])('forwards %s to %s with path and query intact', async (path, upstream) => {
    const res = await app.request(path, { headers: bearer(staff) });
    const body = await echo(res);
    expect(body.upstream).toBe(upstream);
    expect(`${body.path}${body.search}`).toBe(path);
  });

  it('answers an unknown path with a 404 problem', async () => {
    const res = await app.request('/api/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('matches prefixes segment by segment', async () => {
    expect((await app.request('/api/offers-secret')).status).toBe(404);
    expect((await app.request('/api/offers%2F..%2Fadmin')).status).toBe(404);
  });

  it('forwards a request body and method', async () => {
    const res = await app.request('/api/auth/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com' }),
    });
    const body = await echo(res);
    expect(body.method).toBe('POST');
    expect(JSON.parse(body.body)).toEqual({ email: 'a@example.com' });
  });
});

describe('identity', () => {
  it('strips identity headers a client forged', async () => {
    const body = await echo(
      await app.request('/api/offers', {
        headers: {
          'x-shop-user-id': 'admin',
          'x-shop-roles': 'staff',
          'X-Shop-Email': 'boss@example.com',
          'x-shop-session-id': 's',
          'x-shop-anything': '1',
        },
      }),
    );
    expect(Object.keys(body.headers).filter((name) => name.startsWith('x-shop-'))).toEqual([]);
  });

  it('forwards the verified access token untouched and no forged identity header', async () => {
    const token = bearer(shopper);
    const body = await echo(
      await app.request('/api/users/me', {
        headers: { ...token, 'x-shop-user-id': 'someone-else', 'x-shop-roles': 'staff' },
      }),
    );
    expect(body.headers.authorization).toBe(token.authorization);
    expect(Object.keys(body.headers).filter((name) => name.startsWith('x-shop-'))).toEqual([]);
  });

  it('does not let a Connection header remove the access token', async () => {
    const token = bearer(shopper);
    const body = await echo(
      await app.request('/api/users/me', {
        headers: { ...token, connection: 'authorization' },
      }),
    );
    expect(body.headers.authorization).toBe(token.authorization);
  });

  it.each([
    ['alg none', async () => unsignedToken()],
    ['signed by another key', async () => signToken(await makeKey('key-1'))],
    ['expired', async () => signToken(key, { expiresAt: Math.floor(Date.now() / 1000) - 60 })],
    ['for another audience', async () => signToken(key, { audience: 'other' })],
    ['from another issuer', async () => signToken(key, { issuer: 'https://evil.example' })],
    ['not a JWT', async () => 'not.a.jwt'],
  ])('refuses a token %s with 401 invalid_token, even on a public route', async (_, make) => {
    const res = await app.request('/api/offers', { headers: bearer(await make()) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('passes other authorization schemes through untouched (Segment write keys)', async () => {
    const basic = `Basic ${Buffer.from('write-key:').toString('base64')}`;
    const body = await echo(
      await app.request('/api/analytics/v1/track', {
        method: 'POST',
        headers: { authorization: basic },
        body: '{}',
      }),
    );
    expect(body.headers.authorization).toBe(basic);
  });
});

describe('access', () => {
  it('asks anonymous callers of /api/admin/* to sign in', async () => {
    const res = await app.request('/api/admin/offers');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('lets anyone follow /r/:code but only staff manage /api/admin/links', async () => {
    expect((await echo(await app.request('/r/summer-sale'))).upstream).toBe('redirect');
    expect((await app.request('/api/admin/links')).status).toBe(401);
    expect((await app.request('/api/admin/links', { headers: bearer(shopper) })).status).toBe(403);
    const created = await app.request('/api/admin/links', {
      method: 'POST',
      headers: { ...bearer(shopper), 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'x', destinationUrl: 'https://shop.example/' }),
    });
    expect(created.status).toBe(403);
    expect(
      (await echo(await app.request('/api/admin/links', { headers: bearer(staff) }))).upstream,
    ).toBe('redirect');
  });

  it('refuses shoppers on /api/admin/* with 403, known path or not', async () => {
    expect((await app.request('/api/admin/offers', { headers: bearer(shopper) })).status).toBe(403);
    expect((await app.request('/api/admin/secret', { headers: bearer(shopper) })).status).toBe(403);
  });

  it('lets staff through to admin routes, and tells staff an unknown one is 404', async () => {
    const body = await echo(await app.request('/api/admin/offers', { headers: bearer(staff) }));
    expect(body.path).toBe('/api/admin/offers');
    expect((await app.request('/api/admin/secret', { headers: bearer(staff) })).status).toBe(404);
  });

  it('judges roles on the raw path the router matches: encoded admin paths get no further', async () => {
    const encodedPrefix = await app.request('/api/%61dmin/users', { headers: bearer(shopper) });
    expect(encodedPrefix.status).toBe(404);
    const encodedRest = await app.request('/api/admin/%75sers', { headers: bearer(shopper) });
    expect(encodedRest.status).toBe(403);
  });

  it('requires a signed-in user for /api/users/me and /api/cart/checkout', async () => {
    expect((await app.request('/api/users/me')).status).toBe(401);
    expect((await app.request('/api/users/me/addresses')).status).toBe(401);
    expect((await app.request('/api/cart/checkout', { method: 'POST' })).status).toBe(401);
    expect((await app.request('/api/cart')).status).toBe(200);
  });
});

describe('forwarded headers', () => {
  it('keeps a safe incoming x-request-id and sends it upstream and back', async () => {
    const res = await app.request('/api/offers', { headers: { 'x-request-id': 'req-42' } });
    expect(res.headers.get('x-request-id')).toBe('req-42');
    expect((await echo(res)).headers['x-request-id']).toBe('req-42');
  });

  it('creates a request id when none came', async () => {
    const res = await app.request('/api/offers');
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await echo(res)).headers['x-request-id']).toBe(id);
  });

  it('starts a W3C trace when no traceparent came', async () => {
    const body = await echo(await app.request('/api/offers'));
    expect(body.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('keeps the trace id of a valid traceparent with a new parent span', async () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const body = await echo(
      await app.request('/api/offers', {
        headers: { traceparent: incoming, tracestate: 'vendor=1' },
      }),
    );
    const [version, traceId, spanId, flags] = (body.headers.traceparent ?? '').split('-');
    expect([version, traceId, flags]).toEqual(['00', '4bf92f3577b34da6a3ce929d0e0e4736', '01']);
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spanId).not.toBe('00f067aa0ba902b7');
    expect(body.headers.tracestate).toBe('vendor=1');
  });

  it('replaces an invalid traceparent and drops its tracestate', async () => {
    const body = await echo(
      await app.request('/api/offers', {
        headers: {
          traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
          tracestate: 'vendor=1',
        },
      }),
    );
    expect(body.headers.traceparent).not.toContain('0000000000000000000000000000000');
    expect(body.headers.tracestate).toBeUndefined();
  });

  it('sets x-forwarded-proto and x-forwarded-host, and removes hop-by-hop headers', async () => {
    const body = await echo(
      await app.request('http://shop.example/api/offers', {
        headers: { connection: 'keep-alive, x-drop-me', 'x-drop-me': '1', 'keep-alive': '5' },
      }),
    );
    expect(body.headers['x-forwarded-proto']).toBe('http');
    expect(body.headers['x-forwarded-host']).toBe('shop.example');
    expect(body.headers['x-drop-me']).toBeUndefined();
    expect(body.headers['keep-alive']).toBeUndefined();
  });
});

describe('browser protections', () => {
  it('answers a CORS preflight from an allowed origin, with credentials', async () => {
    const res = await app.request('/api/cart', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:4321',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4321');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('gives no CORS grant to another origin', async () => {
    const preflight = await app.request('/api/cart', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const res = await app.request('/api/offers', { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('exposes the rate-limit headers and request id to allowed origins', async () => {
    const res = await app.request('/api/offers', { headers: { origin: 'http://127.0.0.1:4321' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4321');
    const exposed = res.headers.get('access-control-expose-headers') ?? '';
    expect(exposed).toContain('RateLimit-Remaining');
    expect(exposed).toContain('x-request-id');
  });

  it('adds security headers to forwarded responses and to problems', async () => {
    for (const res of [await app.request('/api/offers'), await app.request('/nowhere')]) {
      expect(res.headers.get('strict-transport-security')).toContain('max-age=');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('gives API answers the API header set and the /docs document the full one', async () => {
    const api = await app.request('/api/offers');
    expect(api.headers.get('x-frame-options')).toBe('DENY');
    expect(api.headers.get('cross-origin-resource-policy')).toBe('same-site');
    for (const htmlOnly of [
      'cross-origin-opener-policy',
      'x-xss-protection',
      'x-download-options',
    ]) {
      expect(api.headers.get(htmlOnly)).toBeNull();
    }
    const docs = await app.request('/docs');
    expect(docs.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(docs.headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves the /docs page and its Swagger UI files itself, with a CSP that allows only them', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-url="/openapi.json"');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('https:');
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(sources).toEqual([
      '/docs/swagger-ui.css',
      '/docs/swagger-ui-bundle.js',
      '/docs/init.js',
    ]);
    for (const source of sources) {
      const asset = await app.request(source as string);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/^text\/(css|javascript)/);
      expect((await asset.text()).length).toBeGreaterThan(100);
    }
    expect(await (await app.request('/docs/init.js')).text()).toContain('SwaggerUIBundle');
    expect((await app.request('/docs/package.json')).status).toBe(404);
    expect((await app.request('/docs/..%2Fpackage.json')).status).toBe(404);
  });

  it('refuses a body over the limit with 413 before reaching the upstream', async () => {
    const res = await app.request('/api/auth/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    const webhook = await app.request('/webhooks/payments/stripe', {
      method: 'POST',
      body: 'x'.repeat(512 * 1024 + 1),
    });
    expect(webhook.status).toBe(413);
  });

  it("takes a catalog file of a few MB to offer's import only, from staff only", async () => {
    const file = JSON.stringify({ csv: `slug,name\r\n${'a,b\r\n'.repeat(600_000)}` });
    expect(file.length).toBeGreaterThan(3 * 1024 * 1024);
    const post = (path: string, who: Record<string, string>) =>
      app.request(path, {
        method: 'POST',
        headers: { ...who, 'content-type': 'application/json' },
        body: file,
      });
    const imported = await post('/api/admin/catalog/imports', bearer(staff));
    expect((await echo(imported)).upstream).toBe('offer');
    expect((await post('/api/admin/offers', bearer(staff))).status).toBe(413);
    expect((await post('/api/admin/catalog/imports', bearer(shopper))).status).toBe(403);
  });
});
