// Test helpers of reporting: a migrated database (PGlite, or PostgreSQL in test:integration)
// with the zones kept, the app on it, deliveries to /events as the broker makes them, and
// staff reads.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { type Database, functionAudience, type ServiceEnv, silentLogger } from '@shop/shared';
import {
  identityHeaders,
  testDatabase,
  testEventHeaders,
  testVerifyEventSender,
  testVerifyToken,
} from '@shop/shared/testing';
import { createApp } from '../app.js';
import { reporting } from '../main.js';
import { keepZones } from '../store/zones.js';

/** A CloudEvent as a line of a replay file holds it (structured mode). */
export interface TestEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  data: unknown;
}

export interface Testbed {
  db: Database;
  app: OpenAPIHono<ServiceEnv>;
  /** Delivers an event to /events as the broker would (binary mode, a verified sender). */
  deliver(event: TestEvent): Promise<Response>;
  /** A staff GET. */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  cleanup(): Promise<void>;
}

export const ZONES = ['Europe/Berlin', 'UTC'];

/** The Authorization header of a staff member (test issuer). */
export function asStaff(userId = 'staff-test'): { authorization: string } {
  return identityHeaders({ userId, roles: ['staff'] });
}

export async function createTestbed(zones: readonly string[] = ZONES): Promise<Testbed> {
  const { db, cleanup } = await testDatabase();
  await reporting.applyMigrations(db);
  await keepZones(db, zones);
  const app = createApp({
    db,
    log: silentLogger(),
    verifyToken: testVerifyToken,
    verifyEventSender: testVerifyEventSender(functionAudience('reporting')),
  });
  return {
    db,
    app,
    async deliver(event) {
      return app.request('/events', {
        method: 'POST',
        headers: {
          ...testEventHeaders(functionAudience('reporting')),
          'ce-specversion': '1.0',
          'ce-id': event.id,
          'ce-source': event.source,
          'ce-type': event.type,
          'content-type': 'application/json',
        },
        body: JSON.stringify(event.data),
      });
    },
    get: (path, headers = {}) =>
      Promise.resolve(app.request(path, { headers: { ...asStaff(), ...headers } })),
    cleanup,
  };
}

/** Delivers each event and fails on any answer but 204. */
export async function deliverAll(bed: Testbed, events: readonly TestEvent[]): Promise<void> {
  for (const event of events) {
    const res = await bed.deliver(event);
    if (res.status !== 204) {
      throw new Error(`${event.type} ${event.id}: ${res.status} ${await res.text()}`);
    }
  }
}
