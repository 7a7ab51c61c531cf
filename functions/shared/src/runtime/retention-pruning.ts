// Forgetting what a function keeps only for a while: received webhook events, events waiting
// for their order, expired sessions. A function declares each table's retention once
// (`retention` in defineFunction); the kit deletes older rows at start and hourly, until shutdown.
import type { Database } from '../db/database.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../logger.js';

const TABLE_PATTERN = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;
const COLUMN_PATTERN = /^[a-z][a-z0-9_]*$/;
const DAY_MS = 24 * 3600 * 1000;

/** How often a running function applies its retention rules (and once at start). */
export const RETENTION_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/** Rows deleted per statement, so a first prune of a large table never holds long locks. */
const BATCH = 5_000;

/** One table whose rows go once they are older than the retention. */
export interface RetentionRule {
  /** Schema-qualified table, e.g. `conversion_webhook.provider_event`. */
  table: string;
  /** The timestamp column rows age by, e.g. `received_at` (rows where it is null stay). */
  column: string;
  /**
   * Days rows are kept past `column`: longer than any redelivery, provider retry or replay
   * window that could still need them (say which in `why`).
   */
  keepDays: number;
  /**
   * A further SQL condition on the table's columns a row must meet to go (written by the
   * function, never from input), e.g. `status <> 'unmatched'`.
   */
  where?: string;
  /** Why this retention is long enough: it shows in the start-up log and the README. */
  why: string;
}

/**
 * Deletes the rows of one rule older than its retention, in batches; returns how many went.
 * @example await pruneTable(db, { table: 'cart.pending_payment_event', column: 'received_at', keepDays: 30, why: '…' });
 */
export async function pruneTable(
  db: Database,
  rule: RetentionRule,
  now: Date = new Date(),
): Promise<number> {
  checkRule(rule);
  const cutoff = new Date(now.getTime() - rule.keepDays * DAY_MS);
  const condition = `${rule.column} < $1${rule.where ? ` AND (${rule.where})` : ''}`;
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM ${rule.table} WHERE ctid IN (
         SELECT ctid FROM ${rule.table} WHERE ${condition} LIMIT ${BATCH})`,
      [cutoff],
    );
    total += rowCount;
    if (rowCount < BATCH) return total;
  }
}

function checkRule(rule: RetentionRule): void {
  if (!TABLE_PATTERN.test(rule.table)) throw new Error(`invalid table name ${rule.table}`);
  if (!COLUMN_PATTERN.test(rule.column)) throw new Error(`invalid column name ${rule.column}`);
  if (!(rule.keepDays > 0)) throw new Error(`${rule.table}: keepDays must be positive`);
}

/**
 * Applies `rules` at start and every `intervalMs`, until the `retention` shutdown hook; each
 * failure is logged (warn) and the next run tries again.
 * @example createRetentionPruning({ db, rules, log, lifecycle }).start();
 */
export function createRetentionPruning(options: {
  db: Database;
  rules: readonly RetentionRule[];
  log: Logger;
  lifecycle: Lifecycle;
  intervalMs?: number;
  clock?: () => Date;
}): { start(): void; runOnce(): Promise<void> } {
  const { db, rules, log } = options;
  for (const rule of rules) checkRule(rule);
  const clock = options.clock ?? (() => new Date());
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const runOnce = async () => {
    for (const rule of rules) {
      if (stopped) return;
      try {
        const deleted = await pruneTable(db, rule, clock());
        if (deleted > 0) {
          log.info({ table: rule.table, deleted, keepDays: rule.keepDays }, 'old rows pruned');
        }
      } catch (error) {
        log.warn({ err: error, table: rule.table }, 'pruning old rows failed');
      }
    }
  };
  const run = () => {
    running = running.then(runOnce);
  };
  options.lifecycle.onShutdown('retention', async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  });
  return {
    start() {
      if (rules.length === 0) return;
      run();
      timer = setInterval(run, options.intervalMs ?? RETENTION_PRUNE_INTERVAL_MS);
      timer.unref();
    },
    runOnce: () => {
      run();
      return running;
    },
  };
}
