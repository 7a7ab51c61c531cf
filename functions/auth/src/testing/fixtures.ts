// Test helpers of the auth function: one migrated database per test file, and apps over it.
import { randomBytes } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  type Database,
  functionAudience,
  type KeyValue,
  type ServiceEnv,
  silentLogger,
} from '@shop/shared';
import { testDatabase, testKeyValue, testVerifyEventSender } from '@shop/shared/testing';
import { type AuthAppDeps, createApp } from '../app.js';
import { auth } from '../main.js';
import { createSigningKeys, type SigningKeys } from '../signing-keys.js';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, ownTokenVerifier } from '../tokens.js';

export interface Testbed {
  db: Database;
  kv: KeyValue;
  kek: Buffer;
  keys: SigningKeys;
  app: OpenAPIHono<ServiceEnv>;
  /** Another app over the same database and store, with other dependencies. */
  makeApp(overrides?: Partial<AuthAppDeps>): OpenAPIHono<ServiceEnv>;
  cleanup: () => Promise<void>;
}

/** A migrated database (PGlite, or a fresh PostgreSQL database in real-infra runs) and the app. */
export async function createTestbed(): Promise<Testbed> {
  const database = await testDatabase();
  const keyValue = await testKeyValue();
  const { db } = database;
  const { kv } = keyValue;
  await auth.applyMigrations(db);
  const kek = randomBytes(32);
  const keys = createSigningKeys({ db, kek, cacheMs: 0 });
  // Every test request comes from the same address: per-IP limits that do not get in the way
  // (tests of the limits pass their own).
  const makeApp = (overrides: Partial<AuthAppDeps> = {}) =>
    createApp({
      db,
      kv,
      log: silentLogger(),
      keys,
      verifyToken: ownTokenVerifier({
        db,
        keys,
        issuer: overrides.issuer ?? DEFAULT_ISSUER,
        audience: overrides.audience ?? DEFAULT_AUDIENCE,
      }),
      verifyEventSender: testVerifyEventSender(functionAudience('auth')),
      ...overrides,
      limits: {
        loginPerIp: { limit: 10_000, windowSeconds: 60 },
        signupPerIp: { limit: 10_000, windowSeconds: 60 },
        mailPerIp: { limit: 10_000, windowSeconds: 60 },
        tokenPerIp: { limit: 10_000, windowSeconds: 60 },
        ...overrides.limits,
      },
    });
  return {
    db,
    kv,
    kek,
    keys,
    app: makeApp(),
    makeApp,
    async cleanup() {
      await keyValue.cleanup();
      await database.cleanup();
    },
  };
}

let counter = 0;

/** An email no other test uses. */
export function uniqueEmail(prefix = 'shopper'): string {
  counter += 1;
  return `${prefix}${counter}.${crypto.randomUUID().slice(0, 8)}@example.com`;
}

export const GOOD_PASSWORD = 'violet-harbour-lantern-42';

/** POSTs JSON to the app. */
export function postJson(
  app: OpenAPIHono<ServiceEnv>,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

export interface Tokens {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
}

/** Signs up a new shopper and logs in; returns the email, user id and tokens. */
export async function signUpAndLogIn(
  app: OpenAPIHono<ServiceEnv>,
  email = uniqueEmail(),
): Promise<{ email: string; userId: string; tokens: Tokens }> {
  const signup = await postJson(app, '/api/auth/signup', {
    email,
    password: GOOD_PASSWORD,
    name: 'Ana',
  });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const { userId } = (await signup.json()) as { userId: string };
  const login = await postJson(app, '/api/auth/login', { email, password: GOOD_PASSWORD });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  return { email, userId, tokens: (await login.json()) as Tokens };
}

/** The token of the newest mailed link of `type` for a user, read from the outbox event. */
export async function latestLinkToken(
  db: Database,
  type: string,
  userId: string,
  where: Record<string, string> = {},
): Promise<string> {
  const { rows } = await db.query<{ data: { link: string } & Record<string, unknown> }>(
    'SELECT data FROM auth.outbox WHERE type = $1 AND subject = $2 ORDER BY id DESC',
    [type, userId],
  );
  const row = rows.find((r) => Object.entries(where).every(([k, v]) => r.data[k] === v));
  if (!row) throw new Error(`no ${type} event for ${userId}`);
  const token = new URLSearchParams(new URL(row.data.link).hash.slice(1)).get('token');
  if (!token) throw new Error(`the link of ${type} has no token`);
  return token;
}

/** Follows the verification link mailed at signup. */
export async function verifyEmailOf(
  app: OpenAPIHono<ServiceEnv>,
  db: Database,
  userId: string,
): Promise<void> {
  const token = await latestLinkToken(db, 'shop.user.email_verification_requested', userId);
  const res = await postJson(app, '/api/auth/email-verification/confirm', { token });
  if (res.status !== 200) throw new Error(`verify: ${res.status} ${await res.text()}`);
}
