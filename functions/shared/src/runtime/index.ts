export {
  createInboxPruning,
  INBOX_PRUNE_INTERVAL_MS,
  INBOX_RETENTION_SECONDS,
} from './inbox-pruning.js';
export { isEntryPoint } from './is-entry-point.js';
export { runMigrationJob } from './migration-job.js';
export { type DatabaseConfig, openDatabase } from './open-database.js';
export {
  createOutboxPublishing,
  OUTBOX_PRUNE_INTERVAL_MS,
  type OutboxPublishing,
  type OutboxPublishingOptions,
} from './outbox-publishing.js';
export { createParkedEventsApp } from './parked-events-app.js';
export {
  checkSchemaCurrent,
  pendingMigrations,
  prepareSchema,
  type SchemaMigrations,
} from './prepare-schema.js';
export {
  createRetentionPruning,
  pruneTable,
  RETENTION_PRUNE_INTERVAL_MS,
  type RetentionRule,
} from './retention-pruning.js';
