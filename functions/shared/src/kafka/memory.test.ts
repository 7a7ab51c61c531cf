import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from './kafka-client.js';
import { createMemoryKafka, sharedMemoryKafka } from './memory.js';

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const record = (value: string) => ({ key: null, value, partition: 0 });

describe('createMemoryKafka retention', () => {
  it('drops the oldest records past the count and the age, keeping offsets increasing', async () => {
    let now = 1_000_000;
    const kafka = createMemoryKafka({
      maxRecordsPerPartition: 3,
      retentionMs: 60_000,
      clock: () => now,
    });
    await kafka.admin().createTopic({ topic: 't', partitions: 1, replicationFactor: 1 });
    const producer = kafka.producer();
    for (let i = 0; i < 5; i++) await producer.send('t', [record(`r${i}`)]);
    const seen: ConsumedRecord[] = [];
    const group = kafka.consumerGroup({ groupId: 'g', topic: 't', startAt: 'earliest' });
    await group.run({
      async onBatch(batch) {
        seen.push(...batch.records);
      },
    });
    // Only the newest three are kept; a new group starts at the log start, offset 2.
    await waitFor(() => seen.length === 3);
    expect(seen.map((r) => [r.offset, r.value?.toString()])).toEqual([
      ['2', 'r2'],
      ['3', 'r3'],
      ['4', 'r4'],
    ]);
    // A minute later everything kept is past its age: the next append leaves only itself.
    now += 61_000;
    const [appended] = await producer.send('t', [record('r5')]);
    expect(appended?.offset).toBe('5');
    await waitFor(() => seen.length === 4);
    expect(seen.at(-1)?.value?.toString()).toBe('r5');
    await kafka.close();
  });

  it('lets a group whose committed offset fell behind the log start read on from the oldest record kept', async () => {
    const kafka = createMemoryKafka({ maxRecordsPerPartition: 2 });
    await kafka.admin().createTopic({ topic: 't', partitions: 1, replicationFactor: 1 });
    const producer = kafka.producer();
    const group = kafka.consumerGroup({ groupId: 'g', topic: 't', startAt: 'latest' });
    await group.run({ async onBatch() {} });
    await group.stop();
    for (let i = 0; i < 5; i++) await producer.send('t', [record(`r${i}`)]);
    const seen: string[] = [];
    const again = kafka.consumerGroup({ groupId: 'g', topic: 't', startAt: 'latest' });
    await again.run({
      async onBatch(batch) {
        seen.push(...batch.records.map((r) => `${r.offset}:${r.value}`));
      },
    });
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual(['3:r3', '4:r4']);
    await kafka.close();
  });
});

describe('sharedMemoryKafka', () => {
  it('gives every holder in the process the same log, and one holder closing stops only its own consumers', async () => {
    const writer = sharedMemoryKafka();
    const reader = sharedMemoryKafka();
    const other = sharedMemoryKafka();
    const topic = `shared-${Date.now()}`;
    await writer.admin().createTopic({ topic, partitions: 1, replicationFactor: 1 });
    const seenByReader: string[] = [];
    const seenByOther: string[] = [];
    const readerGroup = reader.consumerGroup({ groupId: 'reader', topic, startAt: 'earliest' });
    await readerGroup.run({
      async onBatch(batch) {
        seenByReader.push(...batch.records.map((r) => String(r.value)));
      },
    });
    const otherGroup = other.consumerGroup({ groupId: 'other', topic, startAt: 'earliest' });
    await otherGroup.run({
      async onBatch(batch) {
        seenByOther.push(...batch.records.map((r) => String(r.value)));
      },
    });
    await writer.producer().send(topic, [record('first')]);
    await waitFor(() => seenByReader.length === 1 && seenByOther.length === 1);
    await other.close();
    await writer.producer().send(topic, [record('second')]);
    await waitFor(() => seenByReader.length === 2);
    expect(seenByReader).toEqual(['first', 'second']);
    expect(seenByOther).toEqual(['first']);
    await reader.close();
    await writer.close();
  });
});
