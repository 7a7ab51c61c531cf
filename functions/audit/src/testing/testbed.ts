// Test helpers of the audit function: a migrated database (PGlite, or PostgreSQL in
// test:integration), a checkpoint store, the log and the app built on them, and deliveries.
import { generateKeyPairSync } from 'node:crypto';
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
import { type AuditLog, createAuditLog } from '../audit-log.js';
import { type CheckpointStore, createMemoryCheckpointStore } from '../checkpoint-store.js';
import { audit } from '../main.js';

export const ORIGIN = 'test.shop.example/audit';

export interface Testbed {
  db: Database;
  store: CheckpointStore;
  auditLog: AuditLog;
  publicKey: ReturnType<typeof generateKeyPairSync>['publicKey'];
  app: OpenAPIHono<ServiceEnv>;
  /** Delivers an event to /events as the broker would (a verified sender). */
  deliver(event: {
    type: string;
    source: string;
    data: unknown;
    id?: string;
    traceparent?: string;
    requestid?: string;
  }): Promise<Response>;
  /** A staff GET. */
  get(path: string): Promise<Response>;
  cleanup(): Promise<void>;
}

/** The Authorization header of a staff member (test issuer). */
export function asStaff(userId = 'staff-test'): { authorization: string } {
  return identityHeaders({ userId, roles: ['staff'] });
}

export async function createTestbed(): Promise<Testbed> {
  const { db, cleanup } = await testDatabase();
  await audit.applyMigrations(db);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const store = createMemoryCheckpointStore();
  const log = silentLogger();
  const auditLog = createAuditLog({
    db,
    store,
    identity: { origin: ORIGIN, signingKey: privateKey },
    log,
  });
  const app = createApp({
    db,
    log,
    auditLog,
    verifyToken: testVerifyToken,
    verifyEventSender: testVerifyEventSender(functionAudience('audit')),
  });
  return {
    db,
    store,
    auditLog,
    publicKey,
    app,
    async deliver(event) {
      return app.request('/events', {
        method: 'POST',
        headers: {
          ...testEventHeaders(functionAudience('audit')),
          'ce-specversion': '1.0',
          'ce-id': event.id ?? crypto.randomUUID(),
          'ce-source': event.source,
          'ce-type': event.type,
          ...(event.traceparent && { 'ce-traceparent': event.traceparent }),
          ...(event.requestid && { 'ce-requestid': event.requestid }),
          'content-type': 'application/json',
        },
        body: JSON.stringify(event.data),
      });
    },
    get: (path) => Promise.resolve(app.request(path, { headers: asStaff() })),
    cleanup,
  };
}

/** A shop.offer.price_changed from offer, by `changedBy`. */
export function priceChanged(
  changedBy: string | null,
  amounts: { from: number | null; to: number },
  productId: string = crypto.randomUUID(),
) {
  return {
    type: 'shop.offer.price_changed',
    source: '/shop/offer',
    data: {
      productId,
      slug: 'blue-mug',
      previousPrice: amounts.from === null ? null : { amount: amounts.from, currency: 'EUR' },
      price: { amount: amounts.to, currency: 'EUR' },
      changedBy,
      changedAt: new Date().toISOString(),
    },
  };
}
