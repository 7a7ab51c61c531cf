// A hostile caller who reaches the functions' own ports, past the gateway: identity headers,
// forged tokens and tokens of ended sessions are worth nothing, because every function verifies
// the access token itself (auth's JWKS and revocation feed) and checks each staff route's
// permission itself.
import { auth as authFunction, createStaffUser, type RunningAuth } from '@shop/auth';
import { cart as cartFunction, type RunningCart } from '@shop/cart';
import { offer as offerFunction, type RunningOffer } from '@shop/offer';
import { type StaffRole, silentLogger } from '@shop/shared';
import { testAccessToken, testDatabase, testKeyValue } from '@shop/shared/testing';
import { type RunningUser, user as userFunction } from '@shop/user';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Answer, callGateway, PASSWORD, startForStory } from './testing/shopper.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
let auth: RunningAuth;
let user: RunningUser;
let offer: RunningOffer;
let cart: RunningCart;
let authDb: Awaited<ReturnType<typeof testDatabase>>;

/** What an attacker sends instead of a token: the headers functions once trusted. */
const FORGED_HEADERS = {
  'x-shop-user-id': '00000000-0000-4000-8000-000000000001',
  'x-shop-roles': 'shopper,staff',
  'x-shop-email': 'boss@example.com',
  'x-user-id': '00000000-0000-4000-8000-000000000001',
};

beforeAll(async () => {
  const log = silentLogger();
  const [shopDb, userDb] = await Promise.all([testDatabase(), testDatabase()]);
  authDb = await testDatabase();
  const kv = testKeyValue();
  cleanups.push(shopDb.cleanup, userDb.cleanup, authDb.cleanup, kv.cleanup);
  auth = await startForStory(cleanups, authFunction, { env: {}, db: authDb.db, kv: kv.kv, log });
  const env = { AUTH_URL: `http://127.0.0.1:${auth.port}` };
  user = await startForStory(cleanups, userFunction, { env, db: userDb.db, log });
  offer = await startForStory(cleanups, offerFunction, {
    env: { ...env, SEED_DEMO_DATA: 'true' },
    db: shopDb.db,
    log,
  });
  cart = await startForStory(cleanups, cartFunction, {
    env: { ...env, OFFER_URL: `http://127.0.0.1:${offer.port}` },
    db: shopDb.db,
    kv: kv.kv,
    log,
  });
});

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const at = (fn: { port: number }) => `http://127.0.0.1:${fn.port}`;

async function signUpAndLogIn(): Promise<{ userId: string; token: string; refresh: string }> {
  const email = `direct-${crypto.randomUUID()}@example.com`;
  const signup = await callGateway(at(auth), 'POST', '/api/auth/signup', {
    body: { email, password: PASSWORD, name: 'Mallory' },
  });
  expect(signup.status).toBe(201);
  return { userId: String(signup.body.userId), ...(await logIn(email)) };
}

async function logIn(email: string): Promise<{ token: string; refresh: string }> {
  const login = await callGateway(at(auth), 'POST', '/api/auth/login', {
    body: { email, password: PASSWORD },
  });
  expect(login.status).toBe(200);
  return { token: String(login.body.accessToken), refresh: String(login.body.refreshToken) };
}

async function staffLogin(
  roles?: StaffRole[],
): Promise<{ userId: string; email: string; token: string }> {
  const email = `staff-${crypto.randomUUID()}@example.com`;
  const { userId } = await createStaffUser(authDb.db, {
    email,
    name: 'Staff',
    password: PASSWORD,
    ...(roles && { roles }),
  });
  return { userId, email, ...(await logIn(email)) };
}

const newOffer = () => ({
  name: `Direct ${crypto.randomUUID().slice(0, 8)}`,
  category: 'home-office',
  priceAmount: 1000,
  stock: 1,
});

async function offerCount(): Promise<number> {
  const { rows } = await offer.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM offer.product',
  );
  return rows[0]?.n ?? 0;
}

function expectRefused(answer: Answer, status: 401 | 403) {
  expect(answer.status).toBe(status);
  expect(answer.body.status).toBe(status);
}

describe('a caller on the functions’ own ports', () => {
  it('gets 401 for identity headers without a token, at every function', async () => {
    const before = await offerCount();
    const headers = FORGED_HEADERS;
    expectRefused(
      await callGateway(at(offer), 'POST', '/api/admin/offers', { body: newOffer(), headers }),
      401,
    );
    expectRefused(await callGateway(at(offer), 'GET', '/api/admin/offers', { headers }), 401);
    expectRefused(await callGateway(at(user), 'GET', '/api/users/me', { headers }), 401);
    expectRefused(await callGateway(at(user), 'GET', '/api/admin/users', { headers }), 401);
    expectRefused(await callGateway(at(cart), 'GET', '/api/cart/orders', { headers }), 401);
    expectRefused(
      await callGateway(at(auth), 'POST', '/api/admin/auth/keys/rotate', { headers }),
      401,
    );
    expect(await offerCount()).toBe(before);
  });

  it('gets 401 for a token auth never signed, whatever it claims', async () => {
    const forged = testAccessToken(
      { userId: FORGED_HEADERS['x-shop-user-id'], roles: ['shopper', 'staff'] },
      { issuer: 'http://127.0.0.1:8080', audience: 'shop' },
    );
    for (const base of [at(offer), at(user), at(cart), at(auth)]) {
      const path = base === at(offer) ? '/api/admin/offers' : '/api/admin/users';
      const answer = await callGateway(base, 'GET', path, { token: forged });
      expectRefused(answer, 401);
    }
  });

  it('gets 403 on staff routes with a shopper’s real token, at the function itself', async () => {
    const { token } = await signUpAndLogIn();
    const before = await offerCount();
    expectRefused(
      await callGateway(at(offer), 'POST', '/api/admin/offers', {
        body: newOffer(),
        token,
        headers: FORGED_HEADERS,
      }),
      403,
    );
    expectRefused(await callGateway(at(user), 'GET', '/api/admin/users', { token }), 403);
    expectRefused(
      await callGateway(at(auth), 'POST', '/api/admin/auth/keys/rotate', { token }),
      403,
    );
    expect(await offerCount()).toBe(before);
  });

  it('records the verified staff member as the actor, never a header’s', async () => {
    const staff = await staffLogin();
    const created = await callGateway(at(offer), 'POST', '/api/admin/offers', {
      body: newOffer(),
      token: staff.token,
      headers: FORGED_HEADERS,
    });
    expect(created.status).toBe(201);
    const { rows } = await offer.db.query<{ type: string; data: Record<string, unknown> }>(
      'SELECT type, data FROM offer.outbox WHERE subject = $1 ORDER BY id',
      [created.body.id],
    );
    expect(rows.map((row) => [row.type, row.data.createdBy ?? row.data.changedBy])).toEqual([
      ['shop.offer.created', staff.userId],
      ['shop.offer.price_changed', staff.userId],
    ]);
  });

  it('stops a logged-out session’s access token at every function within seconds', async () => {
    const shopper = await signUpAndLogIn();
    expect(
      (await callGateway(at(cart), 'GET', '/api/cart/orders', { token: shopper.token })).status,
    ).toBe(200);
    const logout = await callGateway(at(auth), 'POST', '/api/auth/logout', {
      body: { refreshToken: shopper.refresh },
    });
    expect(logout.status).toBe(204);
    // The token itself is valid for 15 more minutes; the revocation feed ends it now.
    await vi.waitFor(
      async () => {
        const orders = await callGateway(at(cart), 'GET', '/api/cart/orders', {
          token: shopper.token,
        });
        expect(orders.status).toBe(401);
      },
      { timeout: 15_000, interval: 250 },
    );
    const me = await callGateway(at(user), 'GET', '/api/users/me', { token: shopper.token });
    expect(me.status).toBe(401);
  });

  it('checks each staff role’s permissions at the function, and applies a role change or disabling at once', async () => {
    const admin = await staffLogin();
    const marketer = await staffLogin(['marketing']);
    const before = await offerCount();
    const write = (token: string) =>
      callGateway(at(offer), 'POST', '/api/admin/offers', { body: newOffer(), token });
    const refused = await write(marketer.token);
    expectRefused(refused, 403);
    expect(refused.body.permission).toBe('catalog:write');
    expect(
      (await callGateway(at(offer), 'GET', '/api/admin/offers', { token: marketer.token })).status,
    ).toBe(200);
    expectRefused(
      await callGateway(at(user), 'GET', '/api/admin/users', { token: marketer.token }),
      403,
    );
    expect(await offerCount()).toBe(before);
    // The administrator makes them a catalog manager: their old token stops everywhere.
    const changed = await callGateway(
      at(auth),
      'PUT',
      `/api/admin/staff/${marketer.userId}/roles`,
      {
        body: { roles: ['catalog-manager'] },
        token: admin.token,
        headers: { 'if-match': 'W/"1"' },
      },
    );
    expect(changed.status).toBe(200);
    await vi.waitFor(async () => expect((await write(marketer.token)).status).toBe(401), {
      timeout: 15_000,
      interval: 250,
    });
    const manager = await logIn(marketer.email);
    expect((await write(manager.token)).status).toBe(201);
    // Disabled: the token stops at every function, and no new sign-in is possible.
    const disabled = await callGateway(
      at(auth),
      'POST',
      `/api/admin/staff/${marketer.userId}/disable`,
      {
        token: admin.token,
      },
    );
    expect(disabled.status).toBe(200);
    await vi.waitFor(async () => expect((await write(manager.token)).status).toBe(401), {
      timeout: 15_000,
      interval: 250,
    });
    const login = await callGateway(at(auth), 'POST', '/api/auth/login', {
      body: { email: marketer.email, password: PASSWORD },
    });
    expect(login.status).toBe(403);
  });
});
