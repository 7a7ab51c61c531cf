// The redirect hot path's reads, Dub's order made faster: an in-process LRU, then Redis under a
// hard timeout, then PostgreSQL. A slow or absent Redis costs one timeout and is skipped for a
// while after; it never fails a redirect. Concurrent misses of one code share one read.
//
// Invalidation across instances within a second: every change bumps a generation counter in
// Redis (the writer after its commit, and the instance shop.link.changed reaches); each instance
// reads it every `generationPollMs` (250 ms) in the background, one GET per instance, and empties
// its LRU when it moved. An entry is trusted only while that poll is fresh: when Redis cannot be
// read, entries older than `ttlMs` (1 s) are read again, so a change still shows within a second.
import { type Database, type KeyValue, type Logger, watchGeneration } from '@shop/shared';
import { LRUCache } from 'lru-cache';
import type { Link } from './domain/link.js';
import { lookupKeysOf } from './domain/normalize-code.js';
import { findLinkByKey } from './store.js';
import { withTimeout } from './with-timeout.js';

export interface LinkCacheOptions {
  db: Database;
  kv: KeyValue;
  log: Logger;
  /**
   * Milliseconds an entry is trusted without a fresh generation read (default 1 s): the bound on
   * a change reaching this instance when Redis cannot tell it.
   */
  ttlMs?: number;
  /** Milliseconds an entry stays while the generation says nothing changed (default 60 s). */
  maxAgeMs?: number;
  /** Milliseconds between two reads of the generation counter (default 250). */
  generationPollMs?: number;
  /** Most codes the LRU holds (default 10,000). */
  max?: number;
  /** Milliseconds Redis may take before the database answers instead (default 25). */
  redisTimeoutMs?: number;
  /** Seconds a link (or its absence) stays in Redis (default 300 / 30). */
  redisTtlSeconds?: number;
  redisMissTtlSeconds?: number;
  /** After a Redis failure or timeout, how long it is not asked (default 5 s). */
  redisBackoffMs?: number;
}

export interface LinkCache {
  /** The link a requested (normalised) code names, or null. */
  find(code: string): Promise<Link | null>;
  /** Drops the codes from this instance's LRU (every spelling of a case-insensitive code). */
  evict(codes: readonly string[]): void;
  /**
   * Drops the codes from the LRU and from Redis and bumps the generation, so every instance
   * empties its LRU within `generationPollMs` (after this instance changed the link).
   */
  forget(codes: readonly string[]): Promise<void>;
  /** Stops the generation poll (shutdown). */
  close(): void;
}

/** What one requested code resolved to, and when (ms since the epoch). */
type Entry = { link: Link | null; at: number };

const NONE = 'none';
const redisKey = (codeKey: string) => `redirect:link:${codeKey}`;
const GENERATION_KEY = 'redirect:links:generation';

function reviveLink(json: string): Link {
  const raw = JSON.parse(json) as Link & {
    expiresAt: string | null;
    createdAt: string;
    updatedAt: string;
  };
  return {
    ...raw,
    expiresAt: raw.expiresAt ? new Date(raw.expiresAt) : null,
    createdAt: new Date(raw.createdAt),
    updatedAt: new Date(raw.updatedAt),
  };
}

/**
 * @example const cache = createLinkCache({ db, kv, log }); const link = await cache.find('summer-sale');
 */
export function createLinkCache(options: LinkCacheOptions): LinkCache {
  const { db, kv, log } = options;
  const redisTimeoutMs = options.redisTimeoutMs ?? 25;
  const redisTtl = options.redisTtlSeconds ?? 300;
  const redisMissTtl = options.redisMissTtlSeconds ?? 30;
  const backoffMs = options.redisBackoffMs ?? 5_000;
  const trustMs = options.ttlMs ?? 1_000;
  const pollMs = options.generationPollMs ?? 250;
  const lru = new LRUCache<string, Entry>({
    max: options.max ?? 10_000,
    ttl: Math.max(trustMs, options.maxAgeMs ?? 60_000),
    // A stale entry is still there to answer when the database cannot.
    allowStale: false,
    noDeleteOnStaleGet: true,
  });
  /** Bumped whenever the LRU is emptied: a read that started before must not fill it. */
  let epoch = 0;
  const generation = watchGeneration({
    kv,
    key: GENERATION_KEY,
    pollMs,
    timeoutMs: Math.max(redisTimeoutMs, 100),
    onChange: () => {
      lru.clear();
      epoch += 1;
    },
  });
  /** An entry answers while the generation read is recent, else for `trustMs` after its read. */
  const fresh = (entry: Entry, now: number) => now - entry.at < trustMs || generation.isFresh(now);
  const pending = new Map<string, Promise<Link | null>>();
  let redisSkipUntil = 0;

  const redisFailed = (error: unknown) => {
    // Logged once per back-off, not per request.
    if (Date.now() >= redisSkipUntil) {
      log.warn({ err: error }, 'Redis did not answer the link lookup: reading PostgreSQL');
    }
    redisSkipUntil = Date.now() + backoffMs;
  };

  /** The entry of each code key: Redis where it answers in time, else PostgreSQL. */
  async function readKey(codeKey: string): Promise<Link | null> {
    if (Date.now() >= redisSkipUntil) {
      try {
        const cached = await withTimeout(kv.get(redisKey(codeKey)), redisTimeoutMs);
        if (cached === NONE) return null;
        if (cached !== null) return reviveLink(cached);
      } catch (error) {
        redisFailed(error);
      }
    }
    const link = await findLinkByKey(db, codeKey);
    if (Date.now() >= redisSkipUntil) {
      // Filled after the answer; a failure only means the next miss reads PostgreSQL again.
      void kv
        .set(redisKey(codeKey), link ? JSON.stringify(link) : NONE, {
          ttlSeconds: link ? redisTtl : redisMissTtl,
        })
        .catch(redisFailed);
    }
    return link;
  }

  /** As findLinkByCode: the exact key's link, else the lower-cased key's case-insensitive one. */
  async function resolve(code: string): Promise<Link | null> {
    const [exact, lower] = lookupKeysOf(code);
    const [exactLink, lowerLink] = await Promise.all([
      readKey(exact as string),
      lower === undefined ? Promise.resolve(null) : readKey(lower),
    ]);
    if (exactLink) return exactLink;
    return lowerLink && !lowerLink.caseSensitive ? lowerLink : null;
  }

  const evict = (codes: readonly string[]) => {
    epoch += 1;
    const lowered = new Set(codes.map((code) => code.toLowerCase()));
    for (const key of [...lru.keys()]) {
      if (lowered.has(key.toLowerCase())) lru.delete(key);
    }
  };

  return {
    async find(code) {
      const hit = lru.get(code);
      if (hit && fresh(hit, Date.now())) return hit.link;
      const shared = pending.get(code);
      if (shared) return shared;
      const startedIn = epoch;
      const read = resolve(code)
        .then((link) => {
          if (epoch === startedIn) lru.set(code, { link, at: Date.now() });
          return link;
        })
        .catch((error: unknown) => {
          // PostgreSQL failed: an expired entry still answers rather than an error page.
          const stale = lru.get(code, { allowStale: true });
          if (stale) {
            log.warn({ err: error }, 'link lookup failed: answering from the expired cache entry');
            return stale.link;
          }
          throw error;
        })
        .finally(() => pending.delete(code));
      pending.set(code, read);
      return read;
    },
    evict,
    async forget(codes) {
      evict(codes);
      const keys = [...new Set(codes.flatMap((code) => lookupKeysOf(code)))].map(redisKey);
      try {
        await withTimeout(kv.del(...keys), Math.max(redisTimeoutMs, 250));
        await generation.bump();
      } catch (error) {
        // The Redis entries expire on their own (redisTtlSeconds); instances that cannot read the
        // generation trust their entries for `ttlMs` only.
        redisFailed(error);
      }
    },
    close() {
      generation.close();
    },
  };
}
