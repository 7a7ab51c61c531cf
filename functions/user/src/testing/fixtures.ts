// Test helpers of the user function: one migrated database per test file, identities, events.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { eventCatalog } from '@shop/eventing';
import {
  buildCloudEvent,
  type Database,
  functionAudience,
  type Identity,
  newId,
  type ServiceEnv,
  silentLogger,
  toBinaryMessage,
} from '@shop/shared';
import {
  identityHeaders,
  testDatabase,
  testEventHeaders,
  testVerifyEventSender,
  testVerifyToken,
} from '@shop/shared/testing';
import { createApp } from '../app.js';
import { user } from '../main.js';

export interface Testbed {
  db: Database;
  app: OpenAPIHono<ServiceEnv>;
  /** How many times the app said it recorded events (main.ts wakes the relay then). */
  recorded: () => number;
  cleanup: () => Promise<void>;
}

/** A migrated database (PGlite, or a fresh PostgreSQL database in real-infra runs) and the app. */
export async function createTestbed(): Promise<Testbed> {
  const { db, cleanup } = await testDatabase();
  await user.applyMigrations(db);
  let recorded = 0;
  const app = createApp({
    db,
    log: silentLogger(),
    onEventsRecorded: () => recorded++,
    verifyToken: testVerifyToken,
    verifyEventSender: testVerifyEventSender(functionAudience('user')),
  });
  return { db, app, recorded: () => recorded, cleanup };
}

export type RegisteredData = {
  userId: string;
  email: string;
  displayName: string | null;
  locale: string | null;
  marketingConsent: boolean;
  registeredAt: string;
};

let counter = 0;

/** Sign-up data of a new user nobody else in the file uses. */
export function registration(overrides: Partial<RegisteredData> = {}): RegisteredData {
  counter += 1;
  return {
    userId: newId(),
    email: `shopper${counter}-${crypto.randomUUID().slice(0, 8)}@example.com`,
    displayName: `Shopper ${counter}`,
    locale: 'en-GB',
    marketingConsent: false,
    registeredAt: new Date().toISOString(),
    ...overrides,
  };
}

/**
 * Delivers `shop.user.registered` to /events as the broker does (binary mode); `invalid` sends
 * data the catalog refuses instead (the SDK will not build such an event, so it is swapped in).
 */
export async function deliverRegistered(
  app: OpenAPIHono<ServiceEnv>,
  data: RegisteredData,
  eventId: string = newId(),
  invalid?: Record<string, unknown>,
): Promise<Response> {
  const valid = buildCloudEvent(eventCatalog, '/shop/auth', 'shop.user.registered', data, {
    id: eventId,
    subject: data.userId,
    partitionKey: data.userId,
  });
  const event = invalid ? valid.cloneWith({ data: invalid }, false) : valid;
  const { headers, body } = toBinaryMessage(event);
  // As the broker's dispatcher does: an OIDC token for user's audience (the test issuer's).
  headers.set('authorization', testEventHeaders(functionAudience('user')).authorization);
  return app.request('/events', { method: 'POST', headers, body });
}

/** Registers a user through the event and returns their shopper identity. */
export async function registeredShopper(
  app: OpenAPIHono<ServiceEnv>,
  overrides: Partial<RegisteredData> = {},
): Promise<{ data: RegisteredData; who: Identity }> {
  const data = registration(overrides);
  const res = await deliverRegistered(app, data);
  if (res.status !== 204)
    throw new Error(`registration answered ${res.status}: ${await res.text()}`);
  return { data, who: shopper(data.userId, data.email) };
}

export function shopper(userId: string = newId(), email?: string): Identity {
  return { userId, roles: ['shopper'], ...(email && { email }) };
}

export function staff(userId: string = newId()): Identity {
  return { userId, roles: ['shopper', 'staff'] };
}

/** A JSON request to the app as `who` (anonymous when null). */
export function send(
  app: OpenAPIHono<ServiceEnv>,
  method: string,
  path: string,
  options: { who?: Identity | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const { who, body } = options;
  const headers: Record<string, string> = {
    ...(who ? identityHeaders(who) : {}),
    ...(body !== undefined && { 'content-type': 'application/json' }),
    ...options.headers,
  };
  return Promise.resolve(
    app.request(path, {
      method,
      headers,
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
  );
}

/** Rows in a table of the users schema, optionally for one user. */
export async function countRows(
  db: Database,
  table: 'profile' | 'address' | 'consent_event' | 'erased_user' | 'outbox' | 'inbox',
  userId?: string,
): Promise<number> {
  const column = table === 'outbox' ? 'subject' : 'user_id';
  const { rows } =
    userId === undefined || table === 'inbox'
      ? await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users.${table}`)
      : await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM users.${table} WHERE ${column}::text = $1`,
          [userId],
        );
  return rows[0]?.n ?? 0;
}

export interface ProfileJson {
  id: string;
  email: string;
  displayName: string | null;
  locale: string | null;
  preferredCurrency: string | null;
  marketingConsent: boolean;
  marketingConsentAt: string | null;
  addresses: AddressJson[];
  version: number;
  [field: string]: unknown;
}

export interface AddressJson {
  id: string;
  name: string;
  country: string;
  isDefaultShipping: boolean;
  isDefaultBilling: boolean;
  [field: string]: unknown;
}

export interface ProblemJson {
  status: number;
  detail?: string;
  errors?: { name: string; reason: string }[];
  [field: string]: unknown;
}
