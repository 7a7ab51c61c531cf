// Test helpers of the feature-flag function: a migrated database, the key-value store (real
// ones in test:integration), a flag source on them and the app built from it.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { type Database, type KeyValue, type ServiceEnv, silentLogger } from '@shop/shared';
import { identityHeaders, testDatabase, testKeyValue, testVerifyToken } from '@shop/shared/testing';
import { createApp } from '../app.js';
import type { FlagSetDocument } from '../domain/flag-types.js';
import { events } from '../events.js';
import type { ExperimentRecorder } from '../experiment-recorder.js';
import { importFlagSet } from '../flag-changes.js';
import { createFlagSource, type FlagSource } from '../flag-source.js';
import { featureFlag } from '../main.js';
import type { RequestBudget } from '../request-budget.js';

export interface Testbed {
  db: Database;
  kv: KeyValue;
  flags: FlagSource;
  app: OpenAPIHono<ServiceEnv>;
  /** Replaces the dev flag set with `document` (as an import by staff) and reloads. */
  load(document: FlagSetDocument): Promise<void>;
  /** The `shop.flag.changed` events written to the outbox, oldest first. */
  changedEvents(): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

/** A staff member's Authorization header (the test issuer's token). */
export const STAFF = identityHeaders({ userId: 'staff-7', roles: ['staff'] });

export async function createTestbed(
  options: {
    clock?: () => Date;
    budget?: RequestBudget;
    db?: Database;
    kv?: KeyValue;
    experiments?: ExperimentRecorder;
  } = {},
): Promise<Testbed> {
  const ownDb = options.db ? null : await testDatabase();
  const db = options.db ?? (ownDb as NonNullable<typeof ownDb>).db;
  if (ownDb) await featureFlag.applyMigrations(db);
  const ownKv = options.kv ? null : testKeyValue();
  const kv = options.kv ?? (ownKv as NonNullable<typeof ownKv>).kv;
  const log = silentLogger();
  const flags = createFlagSource({ db, kv, log, environment: 'dev', pollMs: 50, dbCheckMs: 500 });
  await flags.start();
  const app = createApp({
    db,
    log,
    events,
    flags,
    verifyToken: testVerifyToken,
    ...(options.clock && { clock: options.clock }),
    ...(options.budget && { budget: options.budget }),
    ...(options.experiments && { experiments: options.experiments }),
  });
  return {
    db,
    kv,
    flags,
    app,
    async load(document) {
      await db.transaction((tx) =>
        importFlagSet(
          tx,
          { events, clock: () => new Date() },
          {
            environment: 'dev',
            document,
            by: 'test',
            ifMatch: { kind: 'missing' },
          },
        ),
      );
      await flags.changed();
    },
    async changedEvents() {
      const { rows } = await db.query<{ data: Record<string, unknown> }>(
        `SELECT data FROM feature_flag.outbox WHERE type = 'shop.flag.changed' ORDER BY created_at, id`,
      );
      return rows.map((row) => row.data);
    },
    async cleanup() {
      flags.stop();
      await ownKv?.cleanup();
      await ownDb?.cleanup();
    },
  };
}
