import { afterAll, describe, expect, it, vi } from 'vitest';
import { testKeyValue } from '../testing/index.js';
import { watchGeneration } from './generation.js';
import { createMemoryKeyValue } from './memory.js';

const { kv, cleanup } = testKeyValue();
afterAll(() => cleanup());

describe('watchGeneration', () => {
  it('tells every instance when one of them bumps the counter, and only then', async () => {
    const key = `generation-test:${crypto.randomUUID()}`;
    const changes = [0, 0];
    const watches = changes.map((_, i) =>
      watchGeneration({ kv, key, pollMs: 20, onChange: () => changes[i]!++ }),
    );
    try {
      await vi.waitFor(() => expect(watches.every((w) => w.isFresh())).toBe(true));
      // Reads that find the counter where it was change nothing.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(changes).toEqual([0, 0]);
      await watches[0]!.bump();
      await vi.waitFor(() => expect(changes).toEqual([1, 1]));
      await watches[1]!.bump();
      await vi.waitFor(() => expect(changes).toEqual([2, 2]));
    } finally {
      for (const watch of watches) watch.close();
    }
  });

  it('is not fresh while the store cannot be read, and fresh again once it can', async () => {
    const store = createMemoryKeyValue();
    let failing = false;
    const get = store.get.bind(store);
    store.get = (key) => (failing ? Promise.reject(new Error('down')) : get(key));
    const watch = watchGeneration({ kv: store, key: 'g', pollMs: 20, onChange: () => {} });
    try {
      await vi.waitFor(() => expect(watch.isFresh()).toBe(true));
      failing = true;
      await vi.waitFor(() => expect(watch.isFresh()).toBe(false));
      failing = false;
      await vi.waitFor(() => expect(watch.isFresh()).toBe(true));
    } finally {
      watch.close();
    }
  });
});
