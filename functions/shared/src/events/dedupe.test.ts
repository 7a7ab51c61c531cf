import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryKeyValue } from '../kv/memory.js';
import { testKeyValue } from '../testing/index.js';
import { createKeyValueDeduper } from './dedupe.js';

const { kv, cleanup } = testKeyValue();
afterAll(() => cleanup());

const fresh = () => createKeyValueDeduper(kv, { prefix: `dedupe:${crypto.randomUUID()}:` });

describe('createKeyValueDeduper', () => {
  it('claims an event once, reports it in progress to others, and done after completion', async () => {
    const first = fresh();
    expect(await first.claim('/shop/a', '1')).toBe('claimed');
    expect(await first.claim('/shop/a', '1')).toBe('in-progress');
    expect(await first.claim('/shop/b', '1')).toBe('claimed');
    await first.complete('/shop/a', '1');
    expect(await first.claim('/shop/a', '1')).toBe('done');
  });

  it('makes a released event claimable again, e.g. by the broker’s retry', async () => {
    const deduper = fresh();
    expect(await deduper.claim('/shop/a', '1')).toBe('claimed');
    await deduper.release('/shop/a', '1');
    expect(await deduper.claim('/shop/a', '1')).toBe('claimed');
  });

  it('keeps the two parts of the key apart, whatever characters they hold', async () => {
    const deduper = fresh();
    expect(await deduper.claim('/shop/a:1', '2')).toBe('claimed');
    expect(await deduper.claim('/shop/a', '1:2')).toBe('claimed');
  });

  it('lets a crashed claim expire, and a late release never drops the claim that followed', async () => {
    let now = 1_000_000;
    const memory = createMemoryKeyValue(() => now);
    const crashed = createKeyValueDeduper(memory, { processingTtlSeconds: 60 });
    const other = createKeyValueDeduper(memory, { processingTtlSeconds: 60 });
    expect(await crashed.claim('/shop/a', '1')).toBe('claimed');
    now += 59_000;
    expect(await other.claim('/shop/a', '1')).toBe('in-progress');
    now += 1_000;
    expect(await other.claim('/shop/a', '1')).toBe('claimed');
    await crashed.release('/shop/a', '1');
    expect(await crashed.claim('/shop/a', '1')).toBe('in-progress');
  });

  it('remembers handled events for the done TTL', async () => {
    let now = 1_000_000;
    const memory = createMemoryKeyValue(() => now);
    const deduper = createKeyValueDeduper(memory, { doneTtlSeconds: 3600 });
    await deduper.claim('/shop/a', '1');
    await deduper.complete('/shop/a', '1');
    now += 3_599_000;
    expect(await deduper.claim('/shop/a', '1')).toBe('done');
    now += 1_000;
    expect(await deduper.claim('/shop/a', '1')).toBe('claimed');
  });
});
