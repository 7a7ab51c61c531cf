// Forgetting handled events once no redelivery can come: the inbox of a consuming function would
// otherwise grow by one row per event for ever.
import type { Database } from '../db/database.js';
import { createDatabaseInbox } from '../events/dedupe.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../logger.js';

/**
 * How long a handled event is remembered: far past the broker's retries (minutes) and the
 * topics' retention (7 days), so a redelivery or a replay from Kafka still finds it.
 */
export const INBOX_RETENTION_SECONDS = 30 * 24 * 3600;

/** How often a running function prunes its inbox (and once at start). */
export const INBOX_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes `<schema>.inbox` rows older than the retention, at start and hourly, until shutdown.
 * @example const pruning = createInboxPruning({ db, schema: 'cart', log, lifecycle }); pruning.start();
 */
export function createInboxPruning(options: {
  db: Database;
  schema: string;
  log: Logger;
  lifecycle: Lifecycle;
  retentionSeconds?: number;
  intervalMs?: number;
}): { start(): void } {
  const inbox = createDatabaseInbox({ db: options.db, schema: options.schema });
  const retention = options.retentionSeconds ?? INBOX_RETENTION_SECONDS;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const prune = () => {
    running = inbox
      .prune(retention)
      .then((deleted) => {
        if (deleted > 0) options.log.info({ deleted }, 'handled events pruned from the inbox');
      })
      .catch((error: unknown) => options.log.warn({ err: error }, 'pruning the inbox failed'));
  };
  options.lifecycle.onShutdown('inbox-prune', async () => {
    clearInterval(timer);
    await running;
  });
  return {
    start() {
      prune();
      timer = setInterval(prune, options.intervalMs ?? INBOX_PRUNE_INTERVAL_MS);
      timer.unref();
    },
  };
}
