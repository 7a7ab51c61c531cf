// The audit function as the kit runs it: `node dist/main.js` serves,
// `node dist/main.js migrate` is the migration job.
import type { KeyObject } from 'node:crypto';
import { ConfigError, defineFunction, type FunctionConfig } from '@shop/shared';
import { z } from 'zod';
import { createApp } from './app.js';
import { type AuditLog, createAuditLog } from './audit-log.js';
import {
  type CheckpointStore,
  createDirectoryCheckpointStore,
  createMemoryCheckpointStore,
} from './checkpoint-store.js';
import { isKeyName } from './domain/signed-note.js';
import { events } from './events.js';
import { generateSigningKey, parseSigningKey } from './signing-key.js';

export { type AuditAppDeps, createApp } from './app.js';
export { type AuditLog, createAuditLog } from './audit-log.js';
export {
  type CheckpointStore,
  createDirectoryCheckpointStore,
  createMemoryCheckpointStore,
} from './checkpoint-store.js';
export { events } from './events.js';

const configShape = {
  /** Ed25519 private key of the checkpoints: PKCS#8 DER in base64, or a JWK. Required with DATABASE_URL. */
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  /** The checkpoint origin line, also the signing key's name (no spaces, no plus signs). */
  AUDIT_LOG_ORIGIN: z
    .string()
    .max(200)
    .refine(isKeyName, 'must have no spaces or plus signs')
    .default('shop.example/audit'),
  /** Append-only directory the checkpoints are published to. Required with DATABASE_URL. */
  AUDIT_CHECKPOINT_DIR: z.string().min(1).optional(),
  /** Milliseconds between periodic checkpoints (made only when the log grew). */
  AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
};

type ParsedConfig = FunctionConfig<typeof configShape>;

/** The audit config: the environment, with the signing key parsed. */
export type AuditConfig = ParsedConfig & { signingKey: KeyObject | undefined };

/** What audit builds at start; tests may replace any of it. */
export interface AuditServices {
  auditLog: AuditLog;
  checkpoints: CheckpointStore;
}

function resolveConfig(config: ParsedConfig): AuditConfig {
  const problems: { variable: string; message: string }[] = [];
  let signingKey: KeyObject | undefined;
  if (config.AUDIT_SIGNING_KEY) {
    try {
      signingKey = parseSigningKey(config.AUDIT_SIGNING_KEY);
    } catch (error) {
      problems.push({ variable: 'AUDIT_SIGNING_KEY', message: (error as Error).message });
    }
  } else if (config.DATABASE_URL) {
    problems.push({
      variable: 'AUDIT_SIGNING_KEY',
      message:
        'must be set with DATABASE_URL (an Ed25519 private key, PKCS#8 base64 or JWK, kept in a secret)',
    });
  }
  if (config.DATABASE_URL && !config.AUDIT_CHECKPOINT_DIR) {
    problems.push({
      variable: 'AUDIT_CHECKPOINT_DIR',
      message: 'must be set with DATABASE_URL: checkpoints are published outside the database',
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, signingKey };
}

/**
 * The audit log: PostgreSQL schema `audit`, checkpoints in AUDIT_CHECKPOINT_DIR, port 8091.
 * On the embedded database without AUDIT_SIGNING_KEY it signs with a key made for this run.
 * @example const running = await audit.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const audit = defineFunction({
  name: 'audit',
  port: 8091,
  config: configShape,
  resolveConfig,
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  services({ db, log, lifecycle, config }): AuditServices {
    let signingKey = config.signingKey;
    if (!signingKey) {
      log.warn(
        'AUDIT_SIGNING_KEY is not set: signing checkpoints with a key made for this run (dev only)',
      );
      signingKey = generateSigningKey();
    }
    const checkpoints = config.AUDIT_CHECKPOINT_DIR
      ? createDirectoryCheckpointStore(config.AUDIT_CHECKPOINT_DIR)
      : createMemoryCheckpointStore();
    const auditLog = createAuditLog({
      db,
      store: checkpoints,
      identity: { origin: config.AUDIT_LOG_ORIGIN, signingKey },
      log,
    });
    let last = -1;
    const tick = async () => {
      const size = await auditLog.size();
      if (size === last) return;
      await auditLog.checkpoint();
      last = size;
    };
    const timer = setInterval(() => {
      tick().catch((error: unknown) => log.error({ err: error }, 'the checkpoint failed'));
    }, config.AUDIT_CHECKPOINT_INTERVAL_MS);
    timer.unref();
    lifecycle.onShutdown('checkpoints', async () => {
      clearInterval(timer);
      await tick().catch((error: unknown) =>
        log.error({ err: error }, 'the last checkpoint failed'),
      );
    });
    return { auditLog, checkpoints };
  },
  createApp,
});

/** A started audit function. */
export type RunningAudit = Awaited<ReturnType<typeof audit.start>>;

audit.runIfEntryPoint(import.meta.url);
