import { afterAll, describe, expect, it } from 'vitest';
import { testKeyValue } from '../testing/index.js';
import { createMemoryKeyValue } from './memory.js';

const { kv, cleanup } = testKeyValue();
afterAll(() => cleanup());

describe('KeyValue', () => {
  it('sets, gets and deletes strings, with set-if-absent', async () => {
    expect(await kv.set('a', '1')).toBe(true);
    expect(await kv.get('a')).toBe('1');
    expect(await kv.set('a', '2', { onlyIfAbsent: true })).toBe(false);
    expect(await kv.get('a')).toBe('1');
    expect(await kv.del('a', 'missing')).toBe(1);
    expect(await kv.get('a')).toBeNull();
  });

  it('gives a new counter its ttl once and keeps it on later increments', async () => {
    expect(await kv.incr('rl', { ttlSeconds: 60 })).toBe(1);
    expect(await kv.incr('rl', { ttlSeconds: 1 })).toBe(2);
    const ttl = await kv.ttl('rl');
    expect(ttl).toBeGreaterThan(50);
    expect(await kv.ttl('never-set')).toBe(-2);
  });

  it('works with hashes', async () => {
    await kv.hset('h', { a: '1', b: '2' });
    expect(await kv.hincrby('h', 'a', 5)).toBe(6);
    expect(await kv.hgetall('h')).toEqual({ a: '6', b: '2' });
    expect(await kv.hdel('h', 'b')).toBe(1);
    expect(await kv.hget('h', 'b')).toBeNull();
    expect(await kv.hgetall('missing')).toEqual({});
  });

  it('loses no write when 50 updates of one hash race', async () => {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        kv.update('cart', (current) => ({
          set: { count: String(Number(current.count ?? 0) + 1), [`item${i}`]: '1' },
          ttlSeconds: 3600,
        })),
      ),
    );
    const cart = await kv.hgetall('cart');
    expect(cart.count).toBe('50');
    expect(Object.keys(cart)).toHaveLength(51);
    expect(await kv.ttl('cart')).toBeGreaterThan(3500);
  });

  it('deletes fields set to null and skips writing when the step returns null', async () => {
    await kv.hset('u', { a: '1', b: '2' });
    const result = await kv.update<string>('u', () => ({ set: { a: null }, result: 'done' }));
    expect(result).toBe('done');
    expect(await kv.hgetall('u')).toEqual({ b: '2' });
    expect(await kv.update('u', () => null)).toBeUndefined();
    expect(await kv.hgetall('u')).toEqual({ b: '2' });
  });
});

describe('memory KeyValue expiry', () => {
  it('forgets keys once their ttl passed', async () => {
    let now = 1_000_000;
    const memory = createMemoryKeyValue(() => now);
    await memory.set('s', 'x', { ttlSeconds: 10 });
    await memory.hset('h', { a: '1' });
    await memory.expire('h', 5);
    now += 5_000;
    expect(await memory.hgetall('h')).toEqual({});
    expect(await memory.get('s')).toBe('x');
    now += 5_000;
    expect(await memory.get('s')).toBeNull();
  });
});
