import { Redis } from 'ioredis';
import type { HashUpdate, KeyValue } from './key-value.js';

const MAX_OPTIMISTIC_RETRIES = 100;

/**
 * INCRBY and, on a counter without one, its expiry, as one atomic command (EVALSHA): the rate
 * limiters run it on every request, and one scripted command costs a fraction of a MULTI/EXEC.
 */
const INCR_WITH_TTL = `local value = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2], 'NX')
return value`;

type ScriptedRedis = Redis & {
  incrWithTtl(key: string, by: number, ttlMs: number): Promise<number>;
};

/**
 * {@link KeyValue} on Redis through ioredis. `keyPrefix` namespaces every key (tests use one
 * per suite). Commands fail fast when Redis is away instead of queueing without bound.
 * @example const kv = createRedisKeyValue(config.REDIS_URL, { keyPrefix: 'cart:' });
 */
export function createRedisKeyValue(
  url: string,
  options: { keyPrefix?: string; commandTimeoutMs?: number } = {},
): KeyValue {
  const redis = new Redis(url, {
    keyPrefix: options.keyPrefix,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
    // Commands issued in one event-loop turn (a limiter's INCR and GET) share one write.
    enableAutoPipelining: true,
  }) as ScriptedRedis;
  // ioredis loads it with EVALSHA, falling back to EVAL once after a SCRIPT FLUSH or restart.
  redis.defineCommand('incrWithTtl', { numberOfKeys: 1, lua: INCR_WITH_TTL });
  // Connection errors surface on the commands; the client reconnects by itself.
  redis.on('error', () => {});
  // WATCH is per connection, so each optimistic update borrows a connection of its own.
  const idle: Redis[] = [];
  const acquire = () => {
    const connection = idle.pop();
    if (connection) return connection;
    // WATCH … EXEC is a conversation: these connections pipeline nothing on their own.
    const created = redis.duplicate({ enableAutoPipelining: false });
    created.on('error', () => {});
    return created;
  };
  const release = (connection: Redis) => {
    if (idle.length < 8 && connection.status === 'ready') idle.push(connection);
    else connection.disconnect();
  };

  return {
    get: (key) => redis.get(key),
    async set(key, value, opts = {}) {
      const args: (string | number)[] = [];
      if (opts.ttlSeconds !== undefined) args.push('PX', Math.round(opts.ttlSeconds * 1000));
      if (opts.onlyIfAbsent) args.push('NX');
      // biome-ignore lint/suspicious/noExplicitAny: ioredis' SET overloads do not accept a spread
      const result = await (redis.set as any)(key, value, ...args);
      return result === 'OK';
    },
    del: (...keys) => (keys.length ? redis.del(...keys) : Promise.resolve(0)),
    async incr(key, opts = {}) {
      const by = opts.by ?? 1;
      if (opts.ttlSeconds === undefined) return redis.incrby(key, by);
      return Number(await redis.incrWithTtl(key, by, Math.round(opts.ttlSeconds * 1000)));
    },
    ttl: (key) => redis.ttl(key),
    async expire(key, ttlSeconds) {
      return (await redis.pexpire(key, Math.round(ttlSeconds * 1000))) === 1;
    },
    hget: (key, field) => redis.hget(key, field),
    hgetall: (key) => redis.hgetall(key),
    async hset(key, fields) {
      if (Object.keys(fields).length) await redis.hset(key, fields);
    },
    hdel: (key, ...fields) => (fields.length ? redis.hdel(key, ...fields) : Promise.resolve(0)),
    hincrby: (key, field, by) => redis.hincrby(key, field, by),
    async update<T>(
      key: string,
      step: (current: Record<string, string>) => (HashUpdate & { result?: T }) | null,
    ) {
      const connection = acquire();
      try {
        for (let attempt = 0; attempt < MAX_OPTIMISTIC_RETRIES; attempt++) {
          await connection.watch(key);
          const change = step(await connection.hgetall(key));
          if (!change) {
            await connection.unwatch();
            return undefined;
          }
          const tx = connection.multi();
          const removed = Object.entries(change.set)
            .filter(([, v]) => v === null)
            .map(([f]) => f);
          const written = Object.fromEntries(
            Object.entries(change.set).filter(([, v]) => v !== null),
          ) as Record<string, string>;
          if (removed.length) tx.hdel(key, ...removed);
          if (Object.keys(written).length) tx.hset(key, written);
          if (change.ttlSeconds !== undefined) {
            tx.pexpire(key, Math.round(change.ttlSeconds * 1000));
          }
          // EXEC answers null when a watched key changed: read again and retry.
          if ((await tx.exec()) !== null) return change.result;
        }
        throw new Error(`update of ${key} kept conflicting; gave up`);
      } finally {
        release(connection);
      }
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      for (const connection of idle.splice(0)) connection.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
