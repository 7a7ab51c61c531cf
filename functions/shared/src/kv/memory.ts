import type { HashUpdate, KeyValue, SetOptions } from './key-value.js';

type Entry = { value: string | Map<string, string>; expiresAt: number | null };

/**
 * The embedded default {@link KeyValue}: a Map with lazy expiry. Every method runs
 * synchronously inside one call, which makes each of them atomic as in Redis.
 * @example const kv = createMemoryKeyValue();
 */
export function createMemoryKeyValue(clock: () => number = Date.now): KeyValue {
  const data = new Map<string, Entry>();

  const live = (key: string): Entry | undefined => {
    const entry = data.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= clock()) {
      data.delete(key);
      return undefined;
    }
    return entry;
  };
  const expiry = (ttlSeconds?: number) =>
    ttlSeconds === undefined ? null : clock() + ttlSeconds * 1000;
  const hash = (key: string, create: boolean): Map<string, string> | undefined => {
    const entry = live(key);
    if (entry) {
      if (typeof entry.value === 'string') throw new Error(`WRONGTYPE ${key} holds a string`);
      return entry.value;
    }
    if (!create) return undefined;
    const map = new Map<string, string>();
    data.set(key, { value: map, expiresAt: null });
    return map;
  };
  const stringValue = (key: string): string | null => {
    const entry = live(key);
    if (!entry) return null;
    if (typeof entry.value !== 'string') throw new Error(`WRONGTYPE ${key} holds a hash`);
    return entry.value;
  };

  return {
    async get(key) {
      return stringValue(key);
    },
    async set(key, value, options: SetOptions = {}) {
      if (options.onlyIfAbsent && live(key)) return false;
      data.set(key, { value, expiresAt: expiry(options.ttlSeconds) });
      return true;
    },
    async del(...keys) {
      let removed = 0;
      for (const key of keys) if (live(key) && data.delete(key)) removed++;
      return removed;
    },
    async incr(key, options = {}) {
      const entry = live(key);
      const current = stringValue(key);
      const next = (current === null ? 0 : Number.parseInt(current, 10)) + (options.by ?? 1);
      if (Number.isNaN(next)) throw new Error(`ERR value of ${key} is not an integer`);
      data.set(key, {
        value: String(next),
        expiresAt: entry ? entry.expiresAt : expiry(options.ttlSeconds),
      });
      return next;
    },
    async ttl(key) {
      const entry = live(key);
      if (!entry) return -2;
      if (entry.expiresAt === null) return -1;
      return Math.ceil((entry.expiresAt - clock()) / 1000);
    },
    async expire(key, ttlSeconds) {
      const entry = live(key);
      if (!entry) return false;
      entry.expiresAt = expiry(ttlSeconds);
      return true;
    },
    async hget(key, field) {
      return hash(key, false)?.get(field) ?? null;
    },
    async hgetall(key) {
      return Object.fromEntries(hash(key, false) ?? []);
    },
    async hset(key, fields) {
      const map = hash(key, true)!;
      for (const [field, value] of Object.entries(fields)) map.set(field, value);
    },
    async hdel(key, ...fields) {
      const map = hash(key, false);
      if (!map) return 0;
      let removed = 0;
      for (const field of fields) if (map.delete(field)) removed++;
      if (map.size === 0) data.delete(key);
      return removed;
    },
    async hincrby(key, field, by) {
      const map = hash(key, true)!;
      const next = Number.parseInt(map.get(field) ?? '0', 10) + by;
      map.set(field, String(next));
      return next;
    },
    async update<T>(
      key: string,
      step: (current: Record<string, string>) => (HashUpdate & { result?: T }) | null,
    ) {
      const change = step(Object.fromEntries(hash(key, false) ?? []));
      if (!change) return undefined;
      const map = hash(key, true)!;
      for (const [field, value] of Object.entries(change.set)) {
        if (value === null) map.delete(field);
        else map.set(field, value);
      }
      if (map.size === 0) data.delete(key);
      else if (change.ttlSeconds !== undefined)
        data.get(key)!.expiresAt = expiry(change.ttlSeconds);
      return change.result;
    },
    async ping() {},
    async close() {
      data.clear();
    },
  };
}
