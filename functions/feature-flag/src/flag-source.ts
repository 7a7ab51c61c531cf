// The in-memory copy of the environment's flags every evaluation reads, and how a change
// reaches every instance within a second: the writer bumps a generation counter in the
// key-value store (Redis) after its commit, every instance reads that counter every
// FLAG_POLL_MS (one GET, none per request) and reloads when it moved. The database's revision
// is compared every FLAG_DB_CHECK_MS too, so a writer whose Redis call failed, or Redis down,
// still converges. When PostgreSQL or Redis fail, the last loaded flags keep being served and
// /readyz says so in its details.
import type { Database, KeyValue, Logger } from '@shop/shared';
import { createFlagSnapshot, type FlagSnapshot } from './domain/flag-snapshot.js';
import type { Environment } from './domain/flag-types.js';
import { readFlagSet, readRevision } from './store.js';

export interface FlagSourceOptions {
  db: Database;
  kv: KeyValue;
  log: Logger;
  environment: Environment;
  /** How often the generation counter is read (default 250 ms). */
  pollMs?: number;
  /** How often the database revision is compared (default 2 s). */
  dbCheckMs?: number;
  /** Redis reads and writes give up after this (default 100 ms). */
  kvTimeoutMs?: number;
}

/** What /readyz reports about the flags. */
export interface FlagSourceStatus {
  revision: number | null;
  loadedAt: string | null;
  database: string;
  keyValue: string;
}

/**
 * The flags this instance serves.
 * @example const source = createFlagSource({ db, kv, log, environment: 'prod' }); await source.start(); source.current()?.evaluate('x', {});
 */
export interface FlagSource {
  /** Loads once (retrying in the background when the database is away) and starts watching. */
  start(): Promise<void>;
  /** The flags now; null until the first load. */
  current(): FlagSnapshot | null;
  /** Reloads now (the writer after its commit) and tells the other instances. */
  changed(): Promise<void>;
  /** Reloads when the database's revision moved. */
  check(): Promise<void>;
  /** Called with each new snapshot (the change stream). Returns the unsubscribe. */
  subscribe(listener: (snapshot: FlagSnapshot) => void): () => void;
  status(): FlagSourceStatus;
  stop(): void;
}

export function createFlagSource(options: FlagSourceOptions): FlagSource {
  const { db, kv, log, environment } = options;
  const pollMs = options.pollMs ?? 250;
  const dbCheckMs = options.dbCheckMs ?? 2_000;
  const kvTimeoutMs = options.kvTimeoutMs ?? 100;
  const generationKey = `feature-flag:${environment}:generation`;
  const listeners = new Set<(snapshot: FlagSnapshot) => void>();
  let snapshot: FlagSnapshot | null = null;
  let loadedAt: Date | null = null;
  let databaseState = 'not read yet';
  let keyValueState = 'not read yet';
  let generation: string | null = null;
  let timers: NodeJS.Timeout[] = [];
  let loading: Promise<void> | null = null;
  let stopped = false;

  const withTimeout = <T>(promise: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${kvTimeoutMs} ms`)),
        kvTimeoutMs,
      );
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });

  const load = (): Promise<void> => {
    loading ??= (async () => {
      try {
        const { revision, document } = await readFlagSet(db, environment);
        databaseState = 'ok';
        if (snapshot && snapshot.revision === revision) return;
        snapshot = createFlagSnapshot(document, revision);
        loadedAt = new Date();
        log.info({ revision, flags: snapshot.keys().length, environment }, 'flags loaded');
        for (const listener of listeners) listener(snapshot);
      } catch (error) {
        databaseState = `unavailable: ${(error as Error).message}`;
        log.warn({ err: error }, 'flags not reloaded: serving the last known flags');
      } finally {
        loading = null;
      }
    })();
    return loading;
  };

  // A load already running may have read before the change committed: wait, then read again.
  const reload = async () => {
    if (loading) await loading;
    await load();
  };

  const pollGeneration = async () => {
    try {
      const seen = await withTimeout(kv.get(generationKey));
      keyValueState = 'ok';
      if (seen !== generation) {
        generation = seen;
        await reload();
      }
    } catch (error) {
      keyValueState = `unavailable: ${(error as Error).message}`;
    }
  };

  const check = async () => {
    try {
      const revision = await readRevision(db, environment);
      databaseState = 'ok';
      if (!snapshot || snapshot.revision !== revision) await load();
    } catch (error) {
      databaseState = `unavailable: ${(error as Error).message}`;
    }
  };

  return {
    async start() {
      await load();
      if (stopped) return;
      try {
        generation = await withTimeout(kv.get(generationKey));
        keyValueState = 'ok';
      } catch (error) {
        keyValueState = `unavailable: ${(error as Error).message}`;
      }
      timers = [
        setInterval(() => void pollGeneration(), pollMs),
        setInterval(() => void (snapshot ? check() : load()), dbCheckMs),
      ];
      for (const timer of timers) timer.unref();
    },
    current: () => snapshot,
    async changed() {
      await reload();
      try {
        generation = String(await withTimeout(kv.incr(generationKey)));
        keyValueState = 'ok';
      } catch (error) {
        keyValueState = `unavailable: ${(error as Error).message}`;
        log.warn(
          { err: error },
          'flag change not announced in Redis: others see it within the database check',
        );
      }
    },
    check,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    status: () => ({
      revision: snapshot?.revision ?? null,
      loadedAt: loadedAt?.toISOString() ?? null,
      database: databaseState,
      keyValue: keyValueState,
    }),
    stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      timers = [];
      listeners.clear();
    },
  };
}
