import { Redis } from 'ioredis';
import type { HashUpdate, KeyValue } from './key-value.js';

const MAX_OPTIMISTIC_RETRIES = 100;

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
  });
  // Connection errors surface on the commands; the client reconnects by itself.
  redis.on('error', () => {});
  // WATCH is per connection, so each optimistic update borrows a connection of its own.
  const idle: Redis[] = [];
  const acquire = () => {
    const connection = idle.pop();
    if (connection) return connection;
    const created = redis.duplicate();
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
      const result = await redis
        .multi()
        .incrby(key, by)
        .pexpire(key, Math.round(opts.ttlSeconds * 1000), 'NX')
        .exec();
      const [error, value] = result![0]!;
      if (error) throw error;
      return Number(value);
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
