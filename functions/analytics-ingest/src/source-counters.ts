// Per-source counts of accepted, deduped and rejected (by reason) events: added up in memory
// and written to PostgreSQL about every second in one statement (and on shutdown), so the
// hot path never waits for the database. A write that fails is kept and tried again.
import type { Database, Logger } from '@shop/shared';
import { addCounts, type CounterIncrement } from './store.js';

export interface SourceCounters {
  add(sourceId: string, outcome: CounterIncrement['outcome'], count: number, reason?: string): void;
  /** Writes what is pending now. */
  flush(): Promise<void>;
  /** Stops the timer and writes what is pending. */
  close(): Promise<void>;
}

/** @example const counters = createSourceCounters({ db, log }); counters.add(sourceId, 'accepted', 12); */
export function createSourceCounters(options: {
  db: Database;
  log: Logger;
  intervalMs?: number;
}): SourceCounters {
  let pending = new Map<string, CounterIncrement>();
  let flushing: Promise<void> | undefined;
  const flush = async (): Promise<void> => {
    await flushing;
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    flushing = addCounts(options.db, [...batch.values()])
      .catch((error: unknown) => {
        options.log.warn({ err: error }, 'source counters not written; kept for the next try');
        for (const [key, inc] of batch) {
          const later = pending.get(key);
          if (later) later.count += inc.count;
          else pending.set(key, inc);
        }
      })
      .finally(() => {
        flushing = undefined;
      });
    await flushing;
  };
  const timer = setInterval(() => void flush(), options.intervalMs ?? 1_000);
  timer.unref();
  return {
    add(sourceId, outcome, count, reason = '') {
      if (count <= 0) return;
      const key = `${sourceId}/${outcome}/${reason}`;
      const entry = pending.get(key);
      if (entry) entry.count += count;
      else pending.set(key, { sourceId, outcome, reason, count });
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
