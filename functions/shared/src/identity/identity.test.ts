import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createServiceApp } from '../app.js';
import { silentLogger } from '../logger.js';
import {
  identityHeaders,
  revokeTestSession,
  TEST_AUDIENCE,
  TEST_ISSUER,
  testAccessToken,
  testVerifyToken,
} from '../testing/identity.js';
import {
  createRevocationFeed,
  type Permission,
  readIdentity,
  requireIdentity,
  requirePermission,
} from './index.js';

function appWith(verifyToken: Parameters<typeof createServiceApp>[0]['verifyToken']) {
  const app = createServiceApp({ service: 'test', log: silentLogger(), verifyToken });
  app.get('/whoami', (c) => c.json({ identity: readIdentity(c) }));
  app.get('/mine', (c) => c.json({ userId: requireIdentity(c).userId }));
  app.get('/api/admin/things', (c) => c.json({ ok: true }));
  app.post('/api/admin/things', (c) =>
    c.json({ by: requirePermission(c, 'catalog:write').userId }),
  );
  return app;
}

const app = appWith(testVerifyToken);
const ada = { userId: 'user-ada', roles: ['shopper' as const], sessionId: crypto.randomUUID() };

describe('identify (every function’s app)', () => {
  it('knows the caller only from a verified access token', async () => {
    const res = await app.request('/whoami', { headers: identityHeaders(ada) });
    expect(await res.json()).toEqual({ identity: { ...ada } });
  });

  it('ignores identity headers a caller sets', async () => {
    const res = await app.request('/mine', {
      headers: {
        'x-shop-user-id': 'victim',
        'x-shop-roles': 'staff',
        'x-user-id': 'victim',
      },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it.each([
    ['expired', () => testAccessToken(ada, { now: new Date(Date.now() - 3_600_000) })],
    ['for another audience', () => testAccessToken(ada, { audience: 'other' })],
    ['from another issuer', () => testAccessToken(ada, { issuer: 'https://evil.example' })],
    ['tampered with', () => `${testAccessToken(ada).slice(0, -4)}AAAA`],
    ['not a JWT', () => 'not-a-jwt'],
  ])('refuses a token %s with 401 invalid_token', async (_, make) => {
    const res = await app.request('/whoami', { headers: { authorization: `Bearer ${make()}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('refuses a malformed bearer header, and lets other schemes through as anonymous', async () => {
    expect((await app.request('/whoami', { headers: { authorization: 'Bearer' } })).status).toBe(
      401,
    );
    const basic = await app.request('/whoami', { headers: { authorization: 'Basic a2V5Og==' } });
    expect(await basic.json()).toEqual({ identity: null });
  });

  it('refuses the tokens of a revoked session', async () => {
    const session = { ...ada, sessionId: crypto.randomUUID() };
    const headers = identityHeaders(session);
    expect((await app.request('/mine', { headers })).status).toBe(200);
    revokeTestSession(session.sessionId);
    expect((await app.request('/mine', { headers })).status).toBe(401);
  });

  it('answers /api/admin/* to staff only, whatever the route does', async () => {
    expect((await app.request('/api/admin/things')).status).toBe(401);
    const shopper = identityHeaders(ada);
    expect((await app.request('/api/admin/things', { headers: shopper })).status).toBe(403);
    const staff = identityHeaders({ userId: 'staff-1', roles: ['staff'] });
    expect((await app.request('/api/admin/things', { headers: staff })).status).toBe(200);
  });

  it('leaves every caller anonymous without a verifier', async () => {
    const anonymous = appWith(null);
    const res = await anonymous.request('/whoami', { headers: identityHeaders(ada) });
    expect(await res.json()).toEqual({ identity: null });
    expect((await anonymous.request('/api/admin/things')).status).toBe(401);
  });

  it('answers probes without looking at tokens', async () => {
    const res = await app.request('/healthz', { headers: { authorization: 'Bearer junk' } });
    expect(res.status).toBe(200);
  });
});

describe('requirePermission (staff roles made of permissions)', () => {
  const write = (headers: Record<string, string> = {}) =>
    app.request('/api/admin/things', { method: 'POST', headers });
  const staffAs = (identity: Partial<Parameters<typeof identityHeaders>[0]>) =>
    identityHeaders({ userId: 'staff-1', roles: ['staff'], ...identity });

  it('reads the staff roles and the perms claim, dropping names that are neither', async () => {
    const token = testAccessToken({
      userId: 'staff-1',
      roles: ['shopper', 'staff'],
      staffRoles: ['marketing'],
      permissions: ['links:write', 'root:everything', 'links:write'] as Permission[],
    });
    const res = await app.request('/whoami', { headers: { authorization: `Bearer ${token}` } });
    const { identity } = (await res.json()) as { identity: Record<string, unknown> };
    expect(identity).toMatchObject({
      roles: ['shopper', 'staff'],
      staffRoles: ['marketing'],
      permissions: ['links:write'],
    });
  });

  it('lets a role with the permission through', async () => {
    const res = await write(staffAs({ staffRoles: ['catalog-manager'] }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ by: 'staff-1' });
  });

  it('answers 403 naming the missing permission to a role without it', async () => {
    const res = await write(staffAs({ staffRoles: ['marketing'] }));
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      type: 'https://shop.example/problems/missing-permission',
      permission: 'catalog:write',
    });
  });

  it('answers 401 without a token', async () => {
    expect((await write()).status).toBe(401);
  });

  it('grants nothing to a staff token without perms, nor perms on a shopper token', async () => {
    expect((await write(staffAs({ staffRoles: [], permissions: [] }))).status).toBe(403);
    const shopper = identityHeaders({ ...ada, permissions: ['catalog:write'] });
    expect((await write(shopper)).status).toBe(403);
  });

  it('refuses a forged perms claim: unsigned, or signed with a key auth never published', async () => {
    const claims = {
      iss: TEST_ISSUER,
      aud: TEST_AUDIENCE,
      sub: 'intruder',
      roles: ['staff', 'administrator'],
      perms: ['catalog:write'],
      sid: crypto.randomUUID(),
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`;
    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'test-signing-key', typ: 'at+jwt' })
      .sign(privateKey);
    for (const token of [unsigned, foreign]) {
      expect((await write({ authorization: `Bearer ${token}` })).status).toBe(401);
    }
  });
});

describe('createRevocationFeed', () => {
  const page = (sids: string[], asOf = new Date().toISOString()) =>
    Response.json({ revoked: sids.map((sid) => ({ sid, revokedAt: asOf })), asOf });

  it('reads the feed again once the list is older than refreshMs, from the last asOf', async () => {
    let now = 0;
    const asked: string[] = [];
    const answers = [
      page([], '2026-01-01T00:00:00.000Z'),
      page(['s1'], '2026-01-01T00:00:03.000Z'),
    ];
    const feed = createRevocationFeed({
      url: 'http://auth.test/internal/sessions/revocations',
      clock: () => now,
      refreshMs: 2_000,
      fetch: async (input) => {
        asked.push(String(input));
        return answers.shift() ?? page([]);
      },
    });
    expect(await feed.check('s1')).toBe('active');
    now = 1_000;
    expect(await feed.check('s1')).toBe('active');
    expect(asked).toHaveLength(1);
    now = 3_000;
    expect(await feed.check('s1')).toBe('revoked');
    expect(asked[0]).not.toContain('since=');
    expect(new URL(asked[1] ?? '').searchParams.get('since')).toBe('2025-12-31T23:59:55.000Z');
  });

  it('keeps answering from the last list while the feed is down, then answers unknown', async () => {
    let now = 0;
    let up = true;
    const feed = createRevocationFeed({
      url: 'http://auth.test/feed',
      clock: () => now,
      refreshMs: 1_000,
      maxStaleMs: 10_000,
      fetch: async () => {
        if (!up) throw new Error('connection refused');
        return page(['gone']);
      },
    });
    expect(await feed.check('gone')).toBe('revoked');
    up = false;
    now = 5_000;
    expect(await feed.check('gone')).toBe('revoked');
    expect(await feed.check('other')).toBe('active');
    now = 11_000;
    expect(await feed.check('other')).toBe('unknown');
    up = true;
    expect(await feed.check('other')).toBe('active');
  });

  it('answers unknown before a first read succeeds, and refuses a page that is not one', async () => {
    const feed = createRevocationFeed({
      url: 'http://auth.test/feed',
      fetch: async () => Response.json({ hello: 'world' }),
    });
    expect(await feed.check('s')).toBe('unknown');
  });
});
