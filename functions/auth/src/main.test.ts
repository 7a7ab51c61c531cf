import { createPgliteDatabase, OUTBOX_RETENTION_MS, PERMISSIONS, silentLogger } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  jwtVerify,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCreateStaff } from './create-staff.js';
import { events } from './events.js';
import {
  auth as authFunction,
  KEY_RETENTION_SECONDS,
  type RunningAuth,
  rotateSigningKey,
  verifyAccessToken,
} from './main.js';
import { GOOD_PASSWORD, postJson, type Tokens, uniqueEmail } from './testing/fixtures.js';

const KEK = Buffer.alloc(32, 7).toString('base64');
let auth: RunningAuth;
let database: Awaited<ReturnType<typeof testDatabase>>;
let cleanup: () => Promise<void>;
let base: string;

beforeAll(async () => {
  database = await testDatabase();
  cleanup = database.cleanup;
  auth = await authFunction.start({
    env: {
      AUTH_KEY_ENCRYPTION_KEY: KEK,
      DEV_STAFF_EMAIL: 'Staff@Example.com',
      DEV_STAFF_PASSWORD: GOOD_PASSWORD,
    },
    db: database.db,
    port: 0,
    log: silentLogger(),
    handleSignals: false,
  });
  base = `http://127.0.0.1:${auth.port}`;
});
afterAll(async () => {
  await auth?.shutdown();
  await cleanup?.();
});

const login = async (email: string, password = GOOD_PASSWORD) => {
  const res = await postJson(auth.app, '/api/auth/login', { email, password });
  expect(res.status).toBe(200);
  return (await res.json()) as Tokens;
};
const signupAndLogin = async () => {
  const email = uniqueEmail();
  await postJson(auth.app, '/api/auth/signup', { email, password: GOOD_PASSWORD, name: 'Ana' });
  return login(email);
};
const jwks = async () =>
  (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as JSONWebKeySet;

describe('startAuth', () => {
  it('serves on port 0; a stock remote JWKS client verifies its tokens', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const { accessToken } = await signupAndLogin();
    const remote = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(accessToken, remote, {
      issuer: 'http://127.0.0.1:8080',
      audience: 'shop',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload.roles).toEqual(['shopper']);
    expect(await verifyAccessToken(accessToken, remote)).toMatchObject({ sub: payload.sub });
  });

  it('serves the JWKS with a 5 minute cache and the discovery document', async () => {
    const res = await fetch(`${base}/.well-known/jwks.json`);
    expect(res.headers.get('cache-control')).toContain('max-age=300');
    const { keys } = (await res.json()) as JSONWebKeySet;
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
    const discovery = (await (
      await fetch(`${base}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: 'http://127.0.0.1:8080',
      jwks_uri: 'http://127.0.0.1:8080/.well-known/jwks.json',
      token_endpoint: 'http://127.0.0.1:8080/api/auth/login',
    });
  });

  it('seeds the dev staff user as an administrator, whose tokens carry every permission', async () => {
    const { accessToken } = await login('staff@example.com');
    const claims = await verifyAccessToken(accessToken, await jwks());
    expect(claims.roles).toEqual(['shopper', 'staff', 'administrator']);
    expect(claims.perms).toEqual([...PERMISSIONS]);
  });

  it('seeds the dev staff user again on a restart over the same database, with the new password', async () => {
    const restarted = await authFunction.start({
      env: {
        AUTH_KEY_ENCRYPTION_KEY: KEK,
        DEV_STAFF_EMAIL: 'staff@example.com',
        DEV_STAFF_PASSWORD: 'quartz-meadow-signal-77',
      },
      db: database.db,
      port: 0,
      log: silentLogger(),
      handleSignals: false,
    });
    try {
      const old = await postJson(restarted.app, '/api/auth/login', {
        email: 'staff@example.com',
        password: GOOD_PASSWORD,
      });
      expect(old.status).toBe(401);
      const res = await postJson(restarted.app, '/api/auth/login', {
        email: 'staff@example.com',
        password: 'quartz-meadow-signal-77',
      });
      expect(res.status).toBe(200);
      const { accessToken } = (await res.json()) as Tokens;
      expect((await verifyAccessToken(accessToken, await jwks())).roles).toEqual([
        'shopper',
        'staff',
        'administrator',
      ]);
    } finally {
      await restarted.shutdown();
    }
  });

  it('takes the sign-in limit per client address from LOGIN_LIMIT_PER_IP_PER_MINUTE', async () => {
    const limited = await authFunction.start({
      env: { AUTH_KEY_ENCRYPTION_KEY: KEK, LOGIN_LIMIT_PER_IP_PER_MINUTE: '2' },
      db: database.db,
      port: 0,
      log: silentLogger(),
      handleSignals: false,
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await postJson(limited.app, '/api/auth/login', {
          email: uniqueEmail(),
          password: GOOD_PASSWORD,
        });
        statuses.push(res.status);
      }
      // Two unknown accounts are refused as such; the third attempt meets the limit.
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await limited.shutdown();
    }
  });

  it('stores private keys encrypted, never as a plain JWK', async () => {
    const { rows } = await auth.db.query<{ private_jwk_encrypted: string }>(
      'SELECT private_jwk_encrypted FROM auth.signing_key',
    );
    for (const row of rows) {
      expect(row.private_jwk_encrypted).toMatch(/^v1\./);
      expect(row.private_jwk_encrypted).not.toContain('"d"');
    }
  });
});

describe('key rotation', () => {
  it('keeps tokens signed before a rotation valid and signs new ones with the new kid', async () => {
    const before = await signupAndLogin();
    const oldKid = (await auth.keys.current()).kid;
    const newKid = await rotateSigningKey(auth.db, Buffer.from(KEK, 'base64'));
    auth.keys.invalidate();
    const set = await jwks();
    expect(set.keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
    expect(await verifyAccessToken(before.accessToken, set)).toBeTruthy();
    const after = await signupAndLogin();
    const { protectedHeader } = await jwtVerify(after.accessToken, createLocalJWKSet(set));
    expect(protectedHeader.kid).toBe(newKid);

    // Rotations in a row log nobody out: the first key stays published while its tokens live…
    const third = await auth.keys.rotate();
    const fourth = await auth.keys.rotate();
    const soon = await jwks();
    expect(soon.keys.map((key) => key.kid)).toEqual([fourth, third, newKid, oldKid]);
    expect(await verifyAccessToken(before.accessToken, soon)).toBeTruthy();
    // …and is retired by the first rotation after every token it signed has expired.
    const expired = new Date(Date.now() + (KEY_RETENTION_SECONDS + 1) * 1000);
    await rotateSigningKey(auth.db, Buffer.from(KEK, 'base64'), expired);
    auth.keys.invalidate();
    const later = await jwks();
    expect(later.keys.map((key) => key.kid)).not.toContain(oldKid);
    await expect(verifyAccessToken(before.accessToken, later)).rejects.toThrow();
  });
});

describe('verifyAccessToken', () => {
  const claims = { roles: ['shopper'], sid: crypto.randomUUID() };
  const sign = async (
    header: Record<string, unknown>,
    change: { audience?: string; exp?: number } = {},
    key?: CryptoKey,
  ) => {
    const { privateKey } = key ? { privateKey: key } : await generateKeyPair('ES256');
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', ...header })
      .setIssuer('http://127.0.0.1:8080')
      .setAudience(change.audience ?? 'shop')
      .setSubject(crypto.randomUUID())
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime(change.exp ?? Math.floor(Date.now() / 1000) + 60)
      .sign(privateKey);
  };

  it('refuses alg none', async () => {
    const { accessToken } = await signupAndLogin();
    const [, payload] = accessToken.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expect(verifyAccessToken(`${header}.${payload}.`, await jwks())).rejects.toThrow();
  });

  it('refuses a token signed by another key under a published kid', async () => {
    const kid = (await auth.keys.current()).kid;
    await expect(verifyAccessToken(await sign({ kid }), await jwks())).rejects.toThrow();
  });

  it('refuses an expired token and a wrong audience', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const set = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] };
    expect(await verifyAccessToken(await sign({ kid: 'k1' }, {}, privateKey), set)).toBeTruthy();
    const expired = await sign(
      { kid: 'k1' },
      { exp: Math.floor(Date.now() / 1000) - 10 },
      privateKey,
    );
    await expect(verifyAccessToken(expired, set)).rejects.toThrow(/exp/);
    const otherAudience = await sign({ kid: 'k1' }, { audience: 'elsewhere' }, privateKey);
    await expect(verifyAccessToken(otherAudience, set)).rejects.toThrow(/aud/);
  });
});

describe('create-staff', () => {
  it('reads the password from STAFF_PASSWORD, never argv, creates a staff user, promotes only with --promote-existing', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/auth-staff-`);
    const env = { PGLITE_DATA_DIR: dir, STAFF_PASSWORD: GOOD_PASSWORD, LOG_LEVEL: 'silent' };
    const first = await runCreateStaff(['--email', 'ops@example.com', '--name', 'Ops'], env);
    expect(first.created).toBe(true);
    // An email that has an account is refused without --promote-existing (issue 10, point 5;
    // this used to promote it silently).
    await expect(
      runCreateStaff(['--email', 'OPS@example.com', '--name', 'Ops'], env),
    ).rejects.toThrow(/already has an account.*--promote-existing/s);
    const again = await runCreateStaff(
      ['--email', 'OPS@example.com', '--name', 'Ops', '--promote-existing'],
      env,
    );
    expect(again).toEqual({
      userId: first.userId,
      created: false,
      promoted: true,
      revokedSessions: 0,
    });
    await expect(
      runCreateStaff(['--email', 'x@example.com', '--name', 'X', '--password', 'p'], env),
    ).rejects.toThrow();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the staff roles of --role (administrator without one) and refuses unknown ones', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/auth-staff-roles-`);
    const env = { PGLITE_DATA_DIR: dir, STAFF_PASSWORD: GOOD_PASSWORD, LOG_LEVEL: 'silent' };
    const args = (email: string, ...more: string[]) => ['--email', email, '--name', 'Ops', ...more];
    const named = await runCreateStaff(
      args('mkt@example.com', '--role', 'analyst', '--role', 'marketing'),
      env,
    );
    const admin = await runCreateStaff(args('admin@example.com'), env);
    await expect(runCreateStaff(args('x@example.com', '--role', 'root'), env)).rejects.toThrow(
      /root is not a staff role/,
    );
    const db = await createPgliteDatabase(dir);
    try {
      const { rows } = await db.query<{ user_id: string; roles: string[] }>(
        'SELECT user_id, roles FROM auth.credential',
      );
      const rolesOf = (userId: string) => rows.find((row) => row.user_id === userId)?.roles;
      expect(rolesOf(named.userId)).toEqual(['shopper', 'staff', 'marketing', 'analyst']);
      expect(rolesOf(admin.userId)).toEqual(['shopper', 'staff', 'administrator']);
      expect(rows).toHaveLength(2);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start with DATABASE_URL but no key-encryption key', async () => {
    await expect(
      authFunction.start({
        env: { DATABASE_URL: 'postgres://u@127.0.0.1:1/x' },
        log: silentLogger(),
      }),
    ).rejects.toThrow(/AUTH_KEY_ENCRYPTION_KEY/);
  });
});

describe('the auth outbox', () => {
  it('forgets login events published before the retention, never a pending one', async () => {
    await signupAndLogin();
    const { rows } = await auth.db.query<{ id: string }>(
      'SELECT id FROM auth.outbox ORDER BY id DESC LIMIT 2',
    );
    const [newest, older] = rows.map((row) => row.id);
    const longAgo = new Date(Date.now() - OUTBOX_RETENTION_MS - 24 * 60 * 60 * 1000);
    await auth.db.query('UPDATE auth.outbox SET published_at = $2, created_at = $2 WHERE id = $1', [
      older,
      longAgo,
    ]);
    await auth.db.query(
      'UPDATE auth.outbox SET published_at = NULL, created_at = $2 WHERE id = $1',
      [newest, longAgo],
    );
    expect(await events.prune(auth.db)).toBe(1);
    const { rows: left } = await auth.db.query<{ id: string }>(
      'SELECT id FROM auth.outbox WHERE id = ANY($1::uuid[])',
      [[newest, older]],
    );
    expect(left.map((row) => row.id)).toEqual([newest]);
  });
});
