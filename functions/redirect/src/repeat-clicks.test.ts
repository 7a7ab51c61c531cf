import { createMemoryKeyValue, type KeyValue, silentLogger } from '@shop/shared';
import { testKeyValue } from '@shop/shared/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createRepeatClicks } from './repeat-clicks.js';

const { kv, cleanup } = testKeyValue();
afterAll(cleanup);
const log = silentLogger();

describe('repeat clicks', () => {
  it('counts a click id once on its instance and once across instances sharing the store', async () => {
    // A timeout far above any answer: this is about sharing the store, and the 25 ms default
    // can pass on a loaded machine's first (connecting) SET, which the next test covers.
    const one = createRepeatClicks({ kv, log, redisTimeoutMs: 10_000 });
    const other = createRepeatClicks({ kv, log, redisTimeoutMs: 10_000 });
    const clickId = crypto.randomUUID();
    expect(await one.isFirst(clickId)).toBe(true);
    expect(await one.isFirst(clickId)).toBe(false);
    // Another instance: the same derived id is a repeat there too.
    expect(await other.isFirst(clickId)).toBe(false);
    expect(await other.isFirst(crypto.randomUUID())).toBe(true);
  });

  it('counts on its own instance within the timeout while the store hangs, and skips it a while', async () => {
    const hanging: KeyValue = {
      ...createMemoryKeyValue(),
      set: () => new Promise<boolean>(() => {}),
    };
    const repeats = createRepeatClicks({ kv: hanging, log, redisTimeoutMs: 20 });
    const started = performance.now();
    expect(await repeats.isFirst('a')).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
    // Backed off: no second wait.
    expect(await repeats.isFirst('b')).toBe(true);
    expect(await repeats.isFirst('a')).toBe(false);
  });
});
