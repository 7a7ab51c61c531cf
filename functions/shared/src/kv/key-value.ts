/** Options of a write. */
export interface SetOptions {
  /** Seconds until the key expires; omit to keep it forever. */
  ttlSeconds?: number;
  /** Write only when the key does not exist yet (SET NX); returns false otherwise. */
  onlyIfAbsent?: boolean;
}

/** What a {@link KeyValue.update} step reads and writes in one atomic change of a hash. */
export interface HashUpdate {
  /** Fields to set; a `null` value deletes that field. */
  set: Record<string, string | null>;
  /** Seconds until the whole hash expires (refreshed on every update). */
  ttlSeconds?: number;
}

/**
 * The short-term store (sessions, carts, rate limits): Redis through ioredis in production,
 * an in-memory map in dev and unit tests, with the same semantics.
 */
export interface KeyValue {
  get(key: string): Promise<string | null>;
  /** @example await kv.set(`session:${id}`, json, { ttlSeconds: 3600 }); */
  set(key: string, value: string, options?: SetOptions): Promise<boolean>;
  del(...keys: string[]): Promise<number>;
  /**
   * Adds `by` (default 1) and returns the new value; a new key gets `ttlSeconds` atomically,
   * which makes a fixed-window rate limiter.
   * @example const hits = await kv.incr(`rl:login:${ip}`, { ttlSeconds: 60 });
   */
  incr(key: string, options?: { by?: number; ttlSeconds?: number }): Promise<number>;
  /** Seconds left before the key expires: -1 without expiry, -2 when the key is missing. */
  ttl(key: string): Promise<number>;
  expire(key: string, ttlSeconds: number): Promise<boolean>;
  hget(key: string, field: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
  hset(key: string, fields: Record<string, string>): Promise<void>;
  hdel(key: string, ...fields: string[]): Promise<number>;
  hincrby(key: string, field: string, by: number): Promise<number>;
  /**
   * Reads a hash and writes the change `step` computes from it, atomically: when another
   * writer changes the hash in between, `step` runs again on the fresh value (optimistic,
   * WATCH/MULTI on Redis). Returns what `step` returned.
   * @example await kv.update(`cart:${id}`, (cart) => ({ set: { [sku]: String(Number(cart[sku] ?? 0) + 1) }, ttlSeconds: 2592000 }));
   */
  update<T = HashUpdate>(
    key: string,
    step: (current: Record<string, string>) => (HashUpdate & { result?: T }) | null,
  ): Promise<T | undefined>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
