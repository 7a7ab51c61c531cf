import { functionAudience } from '@shop/shared';
import { testEventHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from './password-hasher.js';
import { createStaffUser } from './staff.js';
import {
  createTestbed,
  GOOD_PASSWORD,
  postJson,
  signUpAndLogIn,
  type Testbed,
  type Tokens,
  uniqueEmail,
} from './testing/fixtures.js';
import { verifyAccessToken } from './tokens.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed?.cleanup());

const outboxOf = async (type: string, userId: string) =>
  (
    await bed.db.query<{ data: Record<string, unknown> }>(
      'SELECT data FROM auth.outbox WHERE type = $1 AND subject = $2 ORDER BY id',
      [type, userId],
    )
  ).rows.map((row) => row.data);

describe('signup, login, refresh, reuse, logout', () => {
  it('runs the whole session life and revokes the family when an old refresh token comes back', async () => {
    const email = uniqueEmail();
    const signup = await postJson(bed.app, '/api/auth/signup', {
      email: `  ${email.toUpperCase()} `,
      password: GOOD_PASSWORD,
      name: 'Ana',
      locale: 'de-DE',
      marketingConsent: true,
    });
    expect(signup.status).toBe(201);
    const account = (await signup.json()) as { userId: string; email: string; roles: string[] };
    expect(account.email).toBe(email);
    expect(account.roles).toEqual(['shopper']);
    expect(await outboxOf('shop.user.registered', account.userId)).toEqual([
      {
        userId: account.userId,
        email,
        displayName: 'Ana',
        locale: 'de-DE',
        marketingConsent: true,
        registeredAt: expect.any(String),
      },
    ]);

    const login = await postJson(bed.app, '/api/auth/login', { email, password: GOOD_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    const first = (await login.json()) as Tokens;
    expect(first).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(first.refreshToken).toMatch(/^[\w-]{43}$/);
    const jwks = await bed.keys.jwks();
    const claims = await verifyAccessToken(first.accessToken, jwks);
    expect(claims).toMatchObject({ sub: account.userId, roles: ['shopper'], email });
    expect(claims.exp - claims.iat).toBe(900);
    expect(await outboxOf('shop.user.logged_in', account.userId)).toEqual([
      { userId: account.userId, sessionId: claims.sid, loggedInAt: expect.any(String) },
    ]);

    const refreshed = await postJson(bed.app, '/api/auth/refresh', {
      refreshToken: first.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as Tokens;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await verifyAccessToken(second.accessToken, jwks)).sid).toBe(claims.sid);

    const reuse = await postJson(bed.app, '/api/auth/refresh', {
      refreshToken: first.refreshToken,
    });
    expect(reuse.status).toBe(401);
    expect(reuse.headers.get('content-type')).toBe('application/problem+json');
    const afterReuse = await postJson(bed.app, '/api/auth/refresh', {
      refreshToken: second.refreshToken,
    });
    expect(afterReuse.status).toBe(401);
    expect(await outboxOf('shop.auth.refresh_reuse_detected', account.userId)).toEqual([
      {
        userId: account.userId,
        sessionId: claims.sid,
        revokedTokens: 1,
        detectedAt: expect.any(String),
      },
    ]);

    const logout = await postJson(bed.app, '/api/auth/logout', {
      refreshToken: second.refreshToken,
    });
    expect(logout.status).toBe(204);
  });

  it('logs out idempotently and the refresh token stops working', async () => {
    const { tokens } = await signUpAndLogIn(bed.app);
    for (let i = 0; i < 2; i++) {
      const res = await postJson(bed.app, '/api/auth/logout', {
        refreshToken: tokens.refreshToken,
      });
      expect(res.status).toBe(204);
    }
    const refresh = await postJson(bed.app, '/api/auth/refresh', {
      refreshToken: tokens.refreshToken,
    });
    expect(refresh.status).toBe(401);
    expect((await postJson(bed.app, '/api/auth/logout', { refreshToken: 'nope' })).status).toBe(
      204,
    );
  });

  it('logs out the session of the access token when no refresh token is sent', async () => {
    const { tokens } = await signUpAndLogIn(bed.app);
    const bearer = { authorization: `Bearer ${tokens.accessToken}` };
    const res = await bed.app.request('/api/auth/logout', { method: 'POST', headers: bearer });
    expect(res.status).toBe(204);
    // The access token of the revoked session is refused at once.
    const again = await bed.app.request('/api/auth/logout', { method: 'POST', headers: bearer });
    expect(again.status).toBe(401);
    const refresh = await postJson(bed.app, '/api/auth/refresh', {
      refreshToken: tokens.refreshToken,
    });
    expect(refresh.status).toBe(401);
  });

  it('lets exactly one of concurrent refreshes of one token win', async () => {
    const { tokens } = await signUpAndLogIn(bed.app);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        postJson(bed.app, '/api/auth/refresh', { refreshToken: tokens.refreshToken }),
      ),
    );
    expect(results.map((res) => res.status).sort()).toEqual([200, 401, 401, 401, 401]);
  });

  it('refuses a refresh token past its idle lifetime, and a session past its absolute one', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const app = bed.makeApp({
      clock: () => now,
      refreshIdleSeconds: 3600,
      refreshAbsoluteSeconds: 3 * 3600,
    });
    const { tokens } = await signUpAndLogIn(app);
    now = new Date(now.getTime() + 3601_000);
    expect(
      (await postJson(app, '/api/auth/refresh', { refreshToken: tokens.refreshToken })).status,
    ).toBe(401);

    const again = await signUpAndLogIn(app);
    let refreshToken = again.tokens.refreshToken;
    for (let step = 0; step < 3; step++) {
      now = new Date(now.getTime() + 3000_000);
      const res = await postJson(app, '/api/auth/refresh', { refreshToken });
      expect(res.status).toBe(200);
      refreshToken = ((await res.json()) as Tokens).refreshToken;
    }
    // 9000 s into a 10800 s session: the last token is 1801 s old (idle allows 3600).
    now = new Date(now.getTime() + 1801_000);
    expect((await postJson(app, '/api/auth/refresh', { refreshToken })).status).toBe(401);
  });
});

describe('bad input', () => {
  it.each([
    ['a short password', { password: 'short-pw-1' }],
    ['a common password', { password: 'Password1234' }],
    ['a password with the email in it', { password: 'zz-EMAILPART-zz-77' }],
    ['a bad email', { email: 'not-an-email' }],
    ['an unknown field', { admin: true }],
    ['a missing name', { name: undefined }],
    ['a non-boolean consent', { marketingConsent: 'yes' }],
    ['a lone surrogate in the name', { name: 'Ana \ud800' }],
    ['a control character in the name', { name: 'Ana\u001b[31m' }],
    ['a NUL in the email', { email: 'ana\u0000@example.com' }],
    ['a NUL in the password', { password: 'correct horse\u0000battery' }],
  ])('refuses a signup with %s (400) and stores nothing', async (_, change) => {
    const email = uniqueEmail('emailpart');
    const body: Record<string, unknown> = {
      email,
      password: GOOD_PASSWORD,
      name: 'Ana',
      ...change,
    };
    if (typeof body.password === 'string') {
      body.password = body.password.replace('EMAILPART', email.split('@')[0] ?? '');
    }
    const res = await postJson(bed.app, '/api/auth/signup', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const { rows } = await bed.db.query('SELECT 1 FROM auth.credential WHERE email = $1', [email]);
    expect(rows).toHaveLength(0);
  });

  it('refuses a taken email with 409, whatever its case', async () => {
    const { email } = await signUpAndLogIn(bed.app);
    const res = await postJson(bed.app, '/api/auth/signup', {
      email: email.toUpperCase(),
      password: GOOD_PASSWORD,
      name: 'Other',
    });
    expect(res.status).toBe(409);
  });

  it('refuses a huge body (413), non-JSON (415) and broken JSON (400)', async () => {
    const huge = await postJson(bed.app, '/api/auth/signup', {
      email: uniqueEmail(),
      password: GOOD_PASSWORD,
      name: 'x'.repeat(100_000),
    });
    expect(huge.status).toBe(413);
    const form = await bed.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a&password=b',
    });
    expect(form.status).toBe(415);
    expect((await postJson(bed.app, '/api/auth/login', '{"email":')).status).toBe(400);
    expect((await postJson(bed.app, '/api/auth/refresh', {})).status).toBe(400);
  });

  it('answers 400, not 500, to a login or refresh with NUL, a lone surrogate or a control character', async () => {
    for (const body of [
      { email: 'ana\u0000@example.com', password: 'whatever-password' },
      { email: '\udc00@example.com', password: 'whatever-password' },
      { email: 'ana@example.com', password: 'pw\u0000' },
      { email: 'ana\u0007@example.com', password: 'whatever-password' },
    ]) {
      const res = await postJson(bed.app, '/api/auth/login', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    const refresh = await postJson(bed.app, '/api/auth/refresh', { refreshToken: 'a\u0000b' });
    expect(refresh.status).toBe(400);
  });

  it('answers an unknown email and a wrong password identically', async () => {
    const { email } = await signUpAndLogIn(bed.app);
    const wrong = await postJson(bed.app, '/api/auth/login', {
      email,
      password: 'wrong-password-123',
    });
    const unknown = await postJson(bed.app, '/api/auth/login', {
      email: uniqueEmail('nobody'),
      password: 'wrong-password-123',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = ({ requestId: _, ...rest }: Record<string, unknown>) => rest;
    const body = async (res: Response) => (await res.json()) as Record<string, unknown>;
    expect(strip(await body(wrong))).toEqual(strip(await body(unknown)));
    expect([...wrong.headers.keys()].sort()).toEqual([...unknown.headers.keys()].sort());
  });
});

describe('rate limits', () => {
  // Issue 10, point 5: failures count per (account, client IP), with a growing wait, never a
  // lockout of the account (this replaces the test of the old 5-per-account lock).
  const from = (ip: string) => ({ 'x-forwarded-for': `${ip}, 10.0.0.1` });
  const ATTACKER = '203.0.113.66';
  const OWNER = '198.51.100.23';

  it('lets the owner log in from another address while an attacker keeps failing from theirs', async () => {
    let now = Date.parse('2031-01-01T00:00:00Z');
    const app = bed.makeApp({ clock: () => new Date(now) });
    const { email } = await signUpAndLogIn(app);
    const guess = (password: string, ip: string) =>
      postJson(app, '/api/auth/login', { email, password }, from(ip));
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await guess(`wrong-password-${i}`, ATTACKER)).status);
      now += 1000;
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses).toContain(429);
    // Even the right password waits at the attacker's address: it is not tried while throttled.
    expect((await guess(GOOD_PASSWORD, ATTACKER)).status).toBe(429);
    const owner = await guess(GOOD_PASSWORD, OWNER);
    expect(owner.status).toBe(200);
    // The owner's success forgets only the owner's pair: the attacker still waits.
    expect((await guess('wrong-password-x', ATTACKER)).status).toBe(429);
  });

  it("answers the attacker's address 429 with a Retry-After that doubles per failure, up to 15 minutes", async () => {
    let now = Date.parse('2031-02-01T00:00:00Z');
    const app = bed.makeApp({ clock: () => new Date(now) });
    const { email } = await signUpAndLogIn(app);
    const guess = () =>
      postJson(app, '/api/auth/login', { email, password: 'wrong-password-1' }, from(ATTACKER));
    for (let i = 0; i < 5; i++) expect((await guess()).status).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      const throttled = await guess();
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('content-type')).toBe('application/problem+json');
      const wait = Number(throttled.headers.get('retry-after'));
      waits.push(wait);
      // Hammering while throttled counts nothing: the wait only runs down.
      now += 1000;
      const again = await guess();
      expect(again.status).toBe(429);
      expect(Number(again.headers.get('retry-after'))).toBe(wait - 1);
      now += (wait - 1) * 1000;
      expect((await guess()).status).toBe(401);
    }
    expect(waits).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 900, 900]);
  });

  it("forgets a pair's failures after a successful login", async () => {
    let now = Date.parse('2031-03-01T00:00:00Z');
    const app = bed.makeApp({ clock: () => new Date(now) });
    const { email } = await signUpAndLogIn(app);
    const guess = (password: string) =>
      postJson(app, '/api/auth/login', { email, password }, from(OWNER));
    for (let i = 0; i < 5; i++) expect((await guess('wrong-password-1')).status).toBe(401);
    for (let i = 0; i < 2; i++) {
      const throttled = await guess('wrong-password-1');
      expect(throttled.status).toBe(429);
      now += Number(throttled.headers.get('retry-after')) * 1000;
      expect((await guess('wrong-password-1')).status).toBe(401);
    }
    expect((await guess('wrong-password-1')).headers.get('retry-after')).toBe('20');
    now += 20_000;
    expect((await guess(GOOD_PASSWORD)).status).toBe(200);
    // Five free attempts again, then the first wait, not the fourth.
    for (let i = 0; i < 5; i++) expect((await guess('wrong-password-1')).status).toBe(401);
    const throttled = await guess('wrong-password-1');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('5');
  });

  it('starts a pair over after a day without attempts', async () => {
    let now = Date.parse('2031-04-01T00:00:00Z');
    const app = bed.makeApp({ clock: () => new Date(now) });
    const { email } = await signUpAndLogIn(app);
    const guess = () =>
      postJson(app, '/api/auth/login', { email, password: 'wrong-password-1' }, from(ATTACKER));
    for (let i = 0; i < 5; i++) expect((await guess()).status).toBe(401);
    expect((await guess()).status).toBe(429);
    now += 24 * 3600_000;
    for (let i = 0; i < 5; i++) expect((await guess()).status).toBe(401);
  });

  it('still refuses credential stuffing: many accounts from one client IP (X-Forwarded-For)', async () => {
    let now = Date.parse('2032-01-01T00:00:00Z');
    const app = bed.makeApp({
      clock: () => new Date(now),
      limits: { loginPerIp: { limit: 3, windowSeconds: 60 } },
    });
    const attempt = (ip: string) =>
      postJson(app, '/api/auth/login', { email: uniqueEmail(), password: 'x' }, from(ip));
    for (let i = 0; i < 3; i++) expect((await attempt('203.0.113.7')).status).toBe(401);
    const over = await attempt('203.0.113.7');
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).not.toBeNull();
    expect((await attempt('198.51.100.2')).status).toBe(401);
    now += 120_000;
    expect((await attempt('203.0.113.7')).status).toBe(401);
  });

  it('counts the address the gateway forwarded, whatever proxies on the way appended after it', async () => {
    const app = bed.makeApp({ limits: { loginPerIp: { limit: 2, windowSeconds: 60 } } });
    const attempt = (forwardedFor: string) =>
      postJson(
        app,
        '/api/auth/login',
        { email: uniqueEmail(), password: 'x' },
        { 'x-forwarded-for': forwardedFor },
      );
    expect((await attempt('192.0.2.44, 10.0.0.1')).status).toBe(401);
    expect((await attempt('192.0.2.44, 10.0.0.2')).status).toBe(401);
    expect((await attempt('192.0.2.44, 127.0.0.1, 10.0.0.3')).status).toBe(429);
  });
});

describe('password hashes', () => {
  it('stores argon2id at the OWASP parameters', async () => {
    const { userId } = await signUpAndLogIn(bed.app);
    const { rows } = await bed.db.query<{ password_hash: string }>(
      'SELECT password_hash FROM auth.credential WHERE user_id = $1',
      [userId],
    );
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('rehashes at login when the stored hash has other parameters', async () => {
    const weak = bed.makeApp({
      passwordHasher: createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }),
    });
    const email = uniqueEmail();
    const signup = await postJson(weak, '/api/auth/signup', {
      email,
      password: GOOD_PASSWORD,
      name: 'Ana',
    });
    const { userId } = (await signup.json()) as { userId: string };
    const hashOf = async () =>
      (
        await bed.db.query<{ password_hash: string }>(
          'SELECT password_hash FROM auth.credential WHERE user_id = $1',
          [userId],
        )
      ).rows[0]?.password_hash;
    expect(await hashOf()).toMatch(/m=1024,t=1,p=1/);
    const login = await postJson(bed.app, '/api/auth/login', { email, password: GOOD_PASSWORD });
    expect(login.status).toBe(200);
    expect(await hashOf()).toMatch(/m=19456,t=2,p=1/);
    const again = await postJson(bed.app, '/api/auth/login', { email, password: GOOD_PASSWORD });
    expect(again.status).toBe(200);
  });
});

describe('shop.user.erased', () => {
  const audience = functionAudience('auth');
  const erasedEvent = (
    userId: string,
    id: string,
    credentials: Record<string, string> = testEventHeaders(audience),
  ) => ({
    method: 'POST',
    headers: {
      ...credentials,
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-source': '/shop/user',
      'ce-type': 'shop.user.erased',
      'ce-time': new Date().toISOString(),
    },
    body: JSON.stringify({ userId, requestedBy: userId, erasedAt: new Date().toISOString() }),
  });

  it('deletes the credentials and ends the sessions, once however often delivered', async () => {
    const { email, userId, tokens } = await signUpAndLogIn(bed.app);
    const eventId = crypto.randomUUID();
    for (let i = 0; i < 2; i++) {
      const res = await bed.app.request('/events', erasedEvent(userId, eventId));
      expect(res.status).toBe(204);
    }
    const refresh = await postJson(bed.app, '/api/auth/refresh', {
      refreshToken: tokens.refreshToken,
    });
    expect(refresh.status).toBe(401);
    const login = await postJson(bed.app, '/api/auth/login', { email, password: GOOD_PASSWORD });
    expect(login.status).toBe(401);
    const { rows } = await bed.db.query('SELECT 1 FROM auth.session WHERE user_id = $1', [userId]);
    expect(rows).toHaveLength(0);
    // An erasure of an unknown user is nothing to do.
    const unknown = await bed.app.request(
      '/events',
      erasedEvent(crypto.randomUUID(), crypto.randomUUID()),
    );
    expect(unknown.status).toBe(204);
  });

  it('refuses a forged erasure with the right source but no valid OIDC token: the victim still logs in', async () => {
    const { email, userId, tokens } = await signUpAndLogIn(bed.app);
    const forged: [string, Record<string, string>, number][] = [
      ['no token', {}, 401],
      ['a token for another audience', testEventHeaders(functionAudience('cart')), 401],
      ['an expired token', testEventHeaders(audience, { ttlSeconds: -120 }), 401],
      [
        'a token of another issuer',
        testEventHeaders(audience, { issuer: 'https://evil.test' }),
        401,
      ],
      [
        'a token signed with a key the issuer never published',
        testEventHeaders(audience, { foreignKey: true }),
        401,
      ],
      [
        'a sender no EventPolicy allows',
        testEventHeaders(audience, {
          subject: 'system:serviceaccount:shop:offer-oidc-sources.knative.dev-sinkbinding',
        }),
        403,
      ],
      ['a token that is no JWT', { authorization: 'Bearer not-a-jwt' }, 401],
    ];
    for (const [label, credentials, status] of forged) {
      const res = await bed.app.request(
        '/events',
        erasedEvent(userId, crypto.randomUUID(), credentials),
      );
      expect(res.status, label).toBe(status);
    }
    const login = await postJson(bed.app, '/api/auth/login', { email, password: GOOD_PASSWORD });
    expect(login.status).toBe(200);
    const refresh = await postJson(bed.app, '/api/auth/refresh', {
      refreshToken: tokens.refreshToken,
    });
    expect(refresh.status).toBe(200);
  });

  it('refuses every event when the app was built without a sender verifier (fail closed)', async () => {
    const { email, userId } = await signUpAndLogIn(bed.app);
    const unguarded = bed.makeApp({ verifyEventSender: undefined });
    const res = await unguarded.request('/events', erasedEvent(userId, crypto.randomUUID()));
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('not configured');
    const login = await postJson(bed.app, '/api/auth/login', { email, password: GOOD_PASSWORD });
    expect(login.status).toBe(200);
  });
});

describe('staff key rotation route', () => {
  it('needs the staff role', async () => {
    const path = '/api/admin/auth/keys/rotate';
    const rotationsRecorded = async () =>
      (
        await bed.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM auth.outbox WHERE type = 'shop.auth.key_rotated'",
        )
      ).rows[0]?.n;
    const before = await rotationsRecorded();
    expect((await bed.app.request(path, { method: 'POST' })).status).toBe(401);
    const shopperTokens = (await signUpAndLogIn(bed.app)).tokens;
    const shopper = { authorization: `Bearer ${shopperTokens.accessToken}` };
    expect((await bed.app.request(path, { method: 'POST', headers: shopper })).status).toBe(403);
    // Refused callers rotate nothing and record nothing.
    expect(await rotationsRecorded()).toBe(before);
    const email = uniqueEmail('staff');
    const created = await createStaffUser(bed.db, {
      email,
      name: 'Staff',
      password: GOOD_PASSWORD,
    });
    const login = await postJson(bed.app, '/api/auth/login', { email, password: GOOD_PASSWORD });
    const staff = { authorization: `Bearer ${((await login.json()) as Tokens).accessToken}` };
    const res = await bed.app.request(path, { method: 'POST', headers: staff });
    expect(res.status).toBe(200);
    const { kid, previousKid } = (await res.json()) as { kid: string; previousKid: string };
    expect(kid).not.toBe(previousKid);
    const { keys } = await bed.keys.jwks();
    expect(keys.map((key) => key.kid)).toEqual(expect.arrayContaining([kid, previousKid]));
    // Recorded for audit with the new key: the key ids and the verified staff subject, no key.
    const staffId = created.userId;
    const recorded = await outboxOf('shop.auth.key_rotated', kid);
    expect(recorded).toEqual([
      { kid, previousKid, rotatedBy: staffId, rotatedAt: expect.any(String) },
    ]);
    expect(JSON.stringify(recorded)).not.toMatch(/"d"|private|BEGIN/);
  });
});
