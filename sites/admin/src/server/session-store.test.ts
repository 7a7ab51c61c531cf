import { createMemoryKeyValue } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import type { TokenPair } from './gateway.js';
import { createSessionStore, tokenClaims } from './session-store.js';

/** An unsigned token with the claims auth puts in (the store only reads sub and email). */
function accessToken(sub: string, email = 'ada@example.com'): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256' })}.${part({ sub, email, exp: 0 })}.signature`;
}

function setup(startAt = Date.UTC(2026, 11, 2, 10)) {
  let now = startAt;
  const kv = createMemoryKeyValue(() => now);
  const sessions = createSessionStore({
    kv,
    idleSeconds: 3600,
    refreshLeewaySeconds: 60,
    clock: () => now,
    refreshWaitMs: 500,
  });
  return {
    kv,
    sessions,
    clock: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    pair: (n: number): TokenPair => ({
      accessToken: accessToken('user-1'),
      refreshToken: `refresh-${n}`,
      expiresIn: 900,
    }),
  };
}

describe('the session store', () => {
  it('gives each visitor an unguessable id and a CSRF token of its own', async () => {
    const { sessions } = setup();
    const a = await sessions.create();
    const b = await sessions.create();
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.csrf).not.toBe(b.csrf);
    expect(a.csrf).not.toBe(a.id);
    expect(await sessions.load(a.id)).toMatchObject({ id: a.id, csrf: a.csrf });
  });

  it('keys the store by a digest of the id, so the store holds no usable cookie', async () => {
    const { kv, sessions } = setup();
    const session = await sessions.create({ flash: 'signedOut' });
    expect(await kv.hgetall(`admin:session:${session.id}`)).toEqual({});
    expect(await sessions.load(session.id)).toMatchObject({ flash: 'signedOut' });
  });

  it('knows no session for a made-up, malformed or expired id', async () => {
    const { sessions, advance } = setup();
    expect(await sessions.load(undefined)).toBeNull();
    expect(await sessions.load('x'.repeat(43))).toBeNull();
    expect(await sessions.load('../../etc')).toBeNull();
    const session = await sessions.create();
    advance(3601_000);
    expect(await sessions.load(session.id)).toBeNull();
  });

  it('keeps a session in use alive (idle expiry, not absolute)', async () => {
    const { sessions, advance } = setup();
    const session = await sessions.create();
    for (let i = 0; i < 5; i++) {
      advance(3000_000);
      expect(await sessions.load(session.id)).not.toBeNull();
    }
  });

  it('writes one field without undoing another request write of the same session', async () => {
    const { sessions, pair } = setup();
    const session = await sessions.create();
    await Promise.all([
      sessions.change(session.id, { flash: 'signedOut' }),
      sessions.change(session.id, { auth: sessions.authFrom(pair(1)) }),
    ]);
    expect(await sessions.load(session.id)).toMatchObject({
      flash: 'signedOut',
      auth: { refreshToken: 'refresh-1' },
    });
    await sessions.change(session.id, { flash: null });
    expect((await sessions.load(session.id))?.flash).toBeUndefined();
  });

  it('does not bring a deleted session back by writing to it', async () => {
    const { sessions } = setup();
    const session = await sessions.create();
    await sessions.destroy(session.id);
    await sessions.change(session.id, { flash: 'signedOut' });
    expect(await sessions.load(session.id)).toBeNull();
  });

  it('rotates at sign-in: a new id and CSRF token, the old id dead', async () => {
    const { sessions, pair } = setup();
    const before = await sessions.create();
    const after = await sessions.rotate(before, { auth: sessions.authFrom(pair(1)) });
    expect(after.id).not.toBe(before.id);
    expect(after.csrf).not.toBe(before.csrf);
    expect(after.auth).toMatchObject({ userId: 'user-1', refreshToken: 'refresh-1' });
    expect(await sessions.load(before.id)).toBeNull();
  });
});

describe('refreshing the access token on the server', () => {
  async function signedIn() {
    const env = setup();
    const session = await env.sessions.rotate(await env.sessions.create(), {
      auth: env.sessions.authFrom(env.pair(1)),
    });
    return { ...env, session };
  }

  it('uses the access token as it is while it has more than the leeway left', async () => {
    const { sessions, session, advance } = await signedIn();
    advance(800_000);
    let calls = 0;
    const auth = await sessions.freshAuth(session, async () => {
      calls++;
      return null;
    });
    expect(calls).toBe(0);
    expect(auth?.refreshToken).toBe('refresh-1');
  });

  it('refreshes before expiry and keeps the new pair in the session', async () => {
    const { sessions, session, advance, pair } = await signedIn();
    advance(850_000); // 50 s left, inside the 60 s leeway
    const spent: string[] = [];
    const auth = await sessions.freshAuth(session, async (token) => {
      spent.push(token);
      return pair(2);
    });
    expect(spent).toEqual(['refresh-1']);
    expect(auth?.refreshToken).toBe('refresh-2');
    expect((await sessions.load(session.id))?.auth?.refreshToken).toBe('refresh-2');
  });

  it('spends a refresh token once when many requests of one session need it at the same time', async () => {
    const { sessions, session, advance, pair } = await signedIn();
    advance(900_000);
    const spent: string[] = [];
    const refresh = async (token: string) => {
      spent.push(token);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return pair(2);
    };
    // Twenty requests of this session, each with its own copy of the session as loaded.
    const copies = await Promise.all(
      Array.from({ length: 20 }, async () => (await sessions.load(session.id))!),
    );
    const results = await Promise.all(copies.map((copy) => sessions.freshAuth(copy, refresh)));
    expect(spent).toEqual(['refresh-1']);
    expect(new Set(results.map((auth) => auth?.refreshToken))).toEqual(new Set(['refresh-2']));
  });

  it('waits for another replica refresh instead of spending the token again', async () => {
    const { kv, session, advance, pair, clock } = await signedIn();
    advance(900_000);
    const storeOptions = {
      kv,
      idleSeconds: 3600,
      refreshLeewaySeconds: 60,
      refreshWaitMs: 2000,
      clock,
    };
    // Two replicas: two stores on one key-value store.
    const replicaA = createSessionStore(storeOptions);
    const replicaB = createSessionStore(storeOptions);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const spent: string[] = [];
    const refresh = async (token: string) => {
      spent.push(token);
      await gate;
      return pair(2);
    };
    const first = replicaA.freshAuth((await replicaA.load(session.id))!, refresh);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = replicaB.freshAuth((await replicaB.load(session.id))!, refresh);
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(spent).toEqual(['refresh-1']);
    expect(a?.refreshToken).toBe('refresh-2');
    expect(b?.refreshToken).toBe('refresh-2');
  });

  it('signs the session out when auth refuses the refresh token (revoked, reused, expired)', async () => {
    const { sessions, session, advance } = await signedIn();
    advance(900_000);
    const auth = await sessions.freshAuth(session, async () => null);
    expect(auth).toBeUndefined();
    const reloaded = await sessions.load(session.id);
    expect(reloaded?.auth).toBeUndefined();
    // The visitor keeps the session itself (its CSRF token), only signed out.
    expect(reloaded?.csrf).toBe(session.csrf);
  });

  it('leaves a session untouched when refreshing fails on the way (gateway down)', async () => {
    const { sessions, session, advance } = await signedIn();
    advance(850_000);
    await expect(
      sessions.freshAuth(session, async () => {
        throw new Error('gateway unreachable');
      }),
    ).rejects.toThrow('gateway unreachable');
    expect((await sessions.load(session.id))?.auth?.refreshToken).toBe('refresh-1');
    // And the lock is gone: the next request tries again.
    const retried = await sessions.freshAuth((await sessions.load(session.id))!, async () => ({
      accessToken: accessToken('user-1'),
      refreshToken: 'refresh-2',
      expiresIn: 900,
    }));
    expect(retried?.refreshToken).toBe('refresh-2');
  });
});

describe('tokenClaims', () => {
  it('reads the subject and email of the access token auth answered', () => {
    expect(tokenClaims(accessToken('u-1', 'a@b.c'))).toEqual({
      sub: 'u-1',
      email: 'a@b.c',
      exp: 0,
    });
  });

  it('refuses a token without a subject', () => {
    const token = `x.${Buffer.from('{}').toString('base64url')}.y`;
    expect(() => tokenClaims(token)).toThrow('without sub');
  });
});
