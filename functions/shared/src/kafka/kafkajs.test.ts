import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { retriesWithin } from './kafkajs.js';
import { partitionForKey } from './partitioner.js';

const { Partitioners } = kafkajs;

function pick(
  partitioner: ReturnType<typeof Partitioners.DefaultPartitioner>,
  key: string,
  n: number,
) {
  const partitionMetadata = Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
}

describe('kafkajs partitioners', () => {
  const keys = [
    '21',
    'foobar',
    'a-little-bit-longer-string',
    'é€😀',
    ...Array.from({ length: 2000 }, (_, i) => `key-${i}-${(i * 7919).toString(36)}`),
  ];

  it('DefaultPartitioner picks the Java client partition for every key', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const n of [1, 3, 10, 64]) {
      for (const key of keys) expect(pick(partitioner, key, n)).toBe(partitionForKey(key, n));
    }
  });

  it('LegacyPartitioner does not (it hashes with float arithmetic)', () => {
    const partitioner = Partitioners.LegacyPartitioner();
    const differing = keys.filter((key) => pick(partitioner, key, 10) !== partitionForKey(key, 10));
    expect(differing.length).toBeGreaterThan(keys.length / 2);
  });
});

describe('a producer delivery timeout', () => {
  // The nominal waits of the kit's backoff: 100 ms doubling, at most 5 s apart.
  const waits = (retries: number) =>
    Array.from({ length: retries }, (_, i) => Math.min(100 * 2 ** i, 5_000)).reduce(
      (a, b) => a + b,
      0,
    );

  it('becomes the fewest retries whose waits cover it', () => {
    for (const timeout of [300, 10_000, 60_000, 120_000]) {
      const retries = retriesWithin(timeout);
      expect(waits(retries)).toBeGreaterThanOrEqual(timeout);
      expect(waits(retries - 1)).toBeLessThan(timeout);
    }
    // A minute of a broker away: 6 doubling waits (6.3 s), then 11 of 5 s.
    expect(retriesWithin(60_000)).toBe(17);
  });

  it('always allows one retry (kafkajs refuses an idempotent producer without)', () => {
    expect(retriesWithin(1)).toBe(1);
  });
});
