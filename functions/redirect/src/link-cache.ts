// The redirect hot path's reads, Dub's order made faster: an in-process LRU (short TTL, dropped
// by shop.link.changed on every instance), then Redis under a hard timeout, then PostgreSQL. A
// slow or absent Redis costs one timeout and is skipped for a while after; it never fails a
// redirect. Concurrent misses of one code share one read (no stampede on a hot link).
import type { Database, KeyValue, Logger } from '@shop/shared';
import { LRUCache } from 'lru-cache';
import type { Link } from './domain/link.js';
import { lookupKeysOf } from './domain/normalize-code.js';
import { findLinkByKey } from './store.js';

export interface LinkCacheOptions {
  db: Database;
  kv: KeyValue;
  log: Logger;
  /** Milliseconds a link stays in the LRU (default 10 s; changes drop it at once). */
  ttlMs?: number;
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
  /** Drops the codes from the LRU and from Redis (after this instance changed the link). */
  forget(codes: readonly string[]): Promise<void>;
}

/** What one code key holds: the link whose code_key it is, or none. */
type Entry = { link: Link | null };

const NONE = 'none';
const redisKey = (codeKey: string) => `redirect:link:${codeKey}`;

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

class Timeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`Redis took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
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
  const lru = new LRUCache<string, Entry>({
    max: options.max ?? 10_000,
    ttl: options.ttlMs ?? 10_000,
    // A stale entry is still there to answer when the database cannot.
    allowStale: false,
    noDeleteOnStaleGet: true,
  });
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
    const lowered = new Set(codes.map((code) => code.toLowerCase()));
    for (const key of [...lru.keys()]) {
      if (lowered.has(key.toLowerCase())) lru.delete(key);
    }
  };

  return {
    async find(code) {
      const hit = lru.get(code);
      if (hit) return hit.link;
      const shared = pending.get(code);
      if (shared) return shared;
      const read = resolve(code)
        .then((link) => {
          lru.set(code, { link });
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
      } catch (error) {
        // The Redis entries expire on their own (redisTtlSeconds); other instances evict by event.
        redisFailed(error);
      }
    },
  };
}
