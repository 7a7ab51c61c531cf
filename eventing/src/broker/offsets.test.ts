import { describe, expect, it } from 'vitest';
import { PartitionOffsets } from './offsets.js';

describe('PartitionOffsets', () => {
  it('commits the highest contiguous finished offset + 1, whatever order deliveries finish in', () => {
    const offsets = new PartitionOffsets();
    expect(offsets.toCommit()).toBeUndefined();
    for (let o = 10n; o < 15n; o++) offsets.take(o);
    offsets.finish(11n);
    offsets.finish(13n);
    expect(offsets.toCommit()).toBe(10n);
    offsets.finish(10n);
    expect(offsets.toCommit()).toBe(12n);
    offsets.committed(12n);
    expect(offsets.toCommit()).toBeUndefined();
    offsets.finish(12n);
    offsets.finish(14n);
    expect(offsets.toCommit()).toBe(15n);
    expect(offsets.pending).toBe(0);
  });

  it('keeps a record pending until every copy taken twice (a refetch) is finished', () => {
    const offsets = new PartitionOffsets();
    offsets.take(0n);
    offsets.take(1n);
    offsets.take(1n);
    offsets.finish(0n);
    offsets.finish(1n);
    expect(offsets.toCommit()).toBe(1n);
    offsets.finish(1n);
    expect(offsets.toCommit()).toBe(2n);
  });

  it('never commits past records given up before they ran, until they are taken again', () => {
    const offsets = new PartitionOffsets();
    for (let o = 0n; o < 5n; o++) offsets.take(o);
    offsets.finish(0n);
    offsets.finish(1n);
    offsets.abandon([3n, 4n]);
    offsets.finish(2n);
    expect(offsets.toCommit()).toBe(3n);
    offsets.committed(3n);
    offsets.take(3n);
    offsets.take(4n);
    offsets.finish(3n);
    offsets.finish(4n);
    expect(offsets.toCommit()).toBe(5n);
  });
});
