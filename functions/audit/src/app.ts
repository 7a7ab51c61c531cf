import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createServiceApp,
  type Database,
  type EventSenderVerifier,
  type Lifecycle,
  type Logger,
  type ServiceEnv,
  type ServiceMetrics,
  type TokenVerifier,
} from '@shop/shared';
import type { AuditLog } from './audit-log.js';
import type { AuditDeps } from './deps.js';
import { toAuditRecord } from './domain/audit-record.js';
import { auditedEventTypes, events } from './events.js';
import { registerAdminAuditRoutes } from './routes/admin-audit.js';
import { appendEntry } from './store.js';

/** What the audit app is built from; the kit passes the real ones, tests their own. */
export interface AuditAppDeps {
  db: Database;
  log: Logger;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Source of "now" (default: the system clock). */
  clock?: () => Date;
  auditLog: AuditLog;
  /** Verifies callers' access tokens (the kit's, from auth's JWKS; tests: `testVerifyToken`). */
  verifyToken: TokenVerifier;
  /** Verifies the broker's OIDC token on /events (the kit's; tests: a test issuer's). */
  verifyEventSender?: EventSenderVerifier;
}

/**
 * The audit function: `/events` appends every audited event to the log once, staff read it
 * under /api/admin/audit; /healthz, /readyz, /metrics and /openapi.json. No side effects, no
 * environment reads.
 * @example const app = createApp({ db, log, auditLog, verifyToken }); await app.request('/api/admin/audit');
 */
export function createApp(deps: AuditAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const app = createServiceApp({
    service: 'audit',
    log,
    verifyToken: deps.verifyToken,
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping() },
  });
  const routeDeps: AuditDeps = { db, log, clock, auditLog: deps.auditLog };
  registerAdminAuditRoutes(app, routeDeps);
  // Every audited type is handled alike: its entry is appended in the inbox transaction, so
  // the entry and the "handled" mark commit together, and the sequencer's lock orders appends.
  const append = async (
    event: Parameters<typeof toAuditRecord>[0],
    { tx }: { tx: Parameters<typeof appendEntry>[0] },
  ) => {
    await appendEntry(tx, {
      source: event.source,
      eventId: event.id,
      record: toAuditRecord(event),
      recordedAt: clock(),
    });
  };
  const handlers = Object.fromEntries(auditedEventTypes.map((type) => [type, append]));
  app.route(
    '/events',
    events.receiver({
      db,
      log,
      ...(deps.metrics && { registry: deps.metrics.registry }),
      ...(deps.verifyEventSender && { verifySender: deps.verifyEventSender }),
      handlers: handlers as Parameters<typeof events.receiver>[0]['handlers'],
    }),
  );
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'audit',
      version: '1.0.0',
      description:
        'A permanent, tamper-evident log of sensitive actions: every audited event is a leaf of ' +
        'an RFC 6962 Merkle tree; Ed25519-signed C2SP checkpoints, inclusion and consistency ' +
        'proofs and a verification are served to staff under /api/admin/audit.',
    },
    tags: [{ name: 'staff', description: 'The audit log (staff only)' }],
  });
  return app;
}
