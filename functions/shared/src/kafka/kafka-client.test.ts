import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { usesRealInfrastructure } from '../testing/index.js';
import type { ConsumedRecord, ConsumerGroup, KafkaClient, RecordBatch } from './kafka-client.js';
import { createKafkajsClient } from './kafkajs.js';
import { createMemoryKafka } from './memory.js';
import { partitionForKey } from './partitioner.js';

// One contract, two backends: the in-memory log in unit runs, kafkajs on the real Kafka of
// KAFKA_BROKERS in integration runs.
const kafka: KafkaClient = usesRealInfrastructure()
  ? createKafkajsClient({ brokers: process.env.KAFKA_BROKERS ?? '', clientId: 'kafka-client-test' })
  : createMemoryKafka();
const suite = randomUUID().slice(0, 8);
const topics: string[] = [];
const groups: ConsumerGroup[] = [];

async function newTopic(partitions: number): Promise<string> {
  const topic = `test-kafka-client-${suite}-${topics.length}`;
  topics.push(topic);
  expect(await kafka.admin().createTopic({ topic, partitions, replicationFactor: 1 })).toBe(true);
  return topic;
}

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs a group member that records everything and returns at once. */
async function collect(topic: string, groupId: string, startAt: 'latest' | 'earliest') {
  const records: ConsumedRecord[] = [];
  const group = kafka.consumerGroup({ groupId, topic, startAt });
  groups.push(group);
  await group.run({
    async onBatch(batch) {
      records.push(...batch.records);
    },
  });
  return { group, records };
}

afterAll(async () => {
  await Promise.all(groups.map((g) => g.stop()));
  for (const topic of topics)
    await kafka
      .admin()
      .deleteTopic(topic)
      .catch(() => {});
  await kafka.close();
});

describe(`KafkaClient (${kafka.kind})`, () => {
  it('creates a topic once and reports its partitions', async () => {
    const topic = await newTopic(3);
    expect(await kafka.admin().createTopic({ topic, partitions: 3, replicationFactor: 1 })).toBe(
      false,
    );
    expect(await kafka.admin().partitionCount(topic)).toBe(3);
    expect(await kafka.admin().partitionCount(`${topic}-missing`)).toBeUndefined();
    expect(await kafka.admin().brokerCount()).toBeGreaterThanOrEqual(1);
  });

  it('reports each partition’s end offset and a group’s commits (none before it commits)', async () => {
    const topic = await newTopic(2);
    const admin = kafka.admin();
    const groupId = `lag-${randomUUID()}`;
    expect(await admin.topicOffsets(topic)).toEqual([
      { partition: 0, low: '0', high: '0' },
      { partition: 1, low: '0', high: '0' },
    ]);
    const producer = kafka.producer();
    await producer.send(
      topic,
      [0, 0, 0, 1].map((partition) => ({ key: null, value: 'v', partition })),
      {
        acks: -1,
      },
    );
    expect(await admin.topicOffsets(topic)).toEqual([
      { partition: 0, low: '0', high: '3' },
      { partition: 1, low: '0', high: '1' },
    ]);
    expect(await admin.committedOffsets(groupId, topic)).toEqual([
      { partition: 0, offset: null },
      { partition: 1, offset: null },
    ]);
    const group = kafka.consumerGroup({ groupId, topic, startAt: 'earliest' });
    groups.push(group);
    await group.run({ async onBatch() {} });
    await group.commit([{ partition: 0, offset: '2' }]);
    expect(await admin.committedOffsets(groupId, topic)).toEqual([
      { partition: 0, offset: '2' },
      { partition: 1, offset: null },
    ]);
  });

  it('puts keyed records on the Java partition with increasing offsets, headers and values intact', async () => {
    const topic = await newTopic(5);
    const producer = kafka.producer();
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'alpha', 'alpha'];
    const sent = [];
    for (const [i, key] of keys.entries()) {
      const [meta] = await producer.send(
        topic,
        [{ key, value: `v${i}`, headers: { ce_id: `id-${i}`, bin: Buffer.from([0, 255]) } }],
        { acks: -1 },
      );
      sent.push(meta!);
    }
    sent.forEach((meta, i) => {
      expect(meta.partition).toBe(partitionForKey(keys[i]!, 5));
    });
    const alpha = sent.filter((_, i) => keys[i] === 'alpha').map((m) => BigInt(m.offset));
    expect(alpha[1]! > alpha[0]! && alpha[2]! === alpha[1]! + 1n).toBe(true);
    const [tombstone] = await producer.send(topic, [{ key: 'beta', value: null }]);

    const { records } = await collect(topic, `g-${suite}-all`, 'earliest');
    await waitFor(() => records.length === keys.length + 1);
    const byId = new Map(records.map((r) => [r.headers.ce_id?.toString(), r]));
    const third = byId.get('id-2')!;
    expect(third.key?.toString()).toBe('gamma');
    expect(third.value?.toString()).toBe('v2');
    expect([...third.headers.bin!]).toEqual([0, 255]);
    const empty = records.find(
      (r) => r.offset === tombstone!.offset && r.partition === tombstone!.partition,
    );
    expect(empty?.value).toBeNull();
  });

  it('sends batches with an idempotent producer (acks all), in order per key', async () => {
    const topic = await newTopic(2);
    const producer = kafka.producer({ idempotent: true });
    const batch = Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 3}`, value: `v${i}` }));
    const sent = await producer.send(topic, batch, { acks: -1 });
    expect(sent).toHaveLength(20);
    const { records } = await collect(topic, `g-${suite}-idempotent`, 'earliest');
    await waitFor(() => records.length === 20);
    for (const key of ['k0', 'k1', 'k2']) {
      const values = records
        .filter((r) => r.key?.toString() === key)
        .map((r) => r.value?.toString());
      expect(values).toEqual(batch.filter((r) => r.key === key).map((r) => r.value));
    }
    await producer.close();
  });

  it('keeps an idempotent producer sending after one of its sends failed, in order', async () => {
    // A failed idempotent send retires kafkajs' producer (its sequence numbers could make the
    // broker take the next batch for a copy of the failed one); the sends around it still land.
    const topic = await newTopic(1);
    const producer = kafka.producer({ idempotent: true, deliveryTimeoutMs: 300 });
    const results = await Promise.allSettled([
      producer.send(topic, [{ key: 'k', value: 'before' }]),
      producer.send(topic, [{ key: 'k', value: 'nowhere', partition: 5 }]),
      producer.send(topic, [{ key: 'k', value: 'after' }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await producer.send(topic, [{ key: 'k', value: 'later' }]);
    const { records } = await collect(topic, `g-${suite}-retired`, 'earliest');
    await waitFor(() => records.length === 3);
    expect(records.map((r) => r.value?.toString())).toEqual(['before', 'after', 'later']);
    await producer.close();
  });

  it('sends several records at once and reports each one where it landed', async () => {
    const topic = await newTopic(4);
    const producer = kafka.producer();
    const metas = await producer.send(topic, [
      { key: 'k1', value: 'a' },
      { key: null, value: 'b' },
      { key: 'k1', value: 'c' },
      { key: 'k2', value: 'd', partition: 3 },
    ]);
    expect(metas).toHaveLength(4);
    expect(metas[0]!.partition).toBe(partitionForKey('k1', 4));
    expect(metas[2]!.partition).toBe(metas[0]!.partition);
    expect(BigInt(metas[2]!.offset)).toBe(BigInt(metas[0]!.offset) + 1n);
    expect(metas[3]!.partition).toBe(3);
  });

  it('starts a new group at the latest offset, then resumes from its commits', async () => {
    const topic = await newTopic(2);
    const producer = kafka.producer();
    await producer.send(topic, [{ key: 'old', value: 'before the group existed' }]);
    const groupId = `g-${suite}-latest`;
    const first = await collect(topic, groupId, 'latest');
    await producer.send(topic, [{ key: 'x', value: 'one' }]);
    await producer.send(topic, [{ key: 'x', value: 'two' }]);
    await waitFor(() => first.records.length === 2);
    expect(first.records.map((r) => r.value?.toString())).toEqual(['one', 'two']);
    // Only the first of the two is done: commit it, restart, and get the second again.
    const done = first.records[0]!;
    await first.group.commit([
      { partition: done.partition, offset: String(BigInt(done.offset) + 1n) },
    ]);
    await first.group.stop();
    await producer.send(topic, [{ key: 'x', value: 'three' }]);
    const second = await collect(topic, groupId, 'latest');
    await waitFor(() => second.records.length === 2);
    expect(second.records.map((r) => r.value?.toString())).toEqual(['two', 'three']);
  });

  it('does not fetch a paused partition until it is resumed, nor the next batch before onBatch settles', async () => {
    const topic = await newTopic(1);
    const producer = kafka.producer();
    const batches: RecordBatch[] = [];
    let release: () => void = () => {};
    const group = kafka.consumerGroup({ groupId: `g-${suite}-flow`, topic, startAt: 'earliest' });
    groups.push(group);
    await group.run({
      onBatch(batch) {
        batches.push(batch);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    await producer.send(topic, [{ key: 'k', value: '1' }]);
    await waitFor(() => batches.length === 1);
    await producer.send(topic, [{ key: 'k', value: '2' }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(batches).toHaveLength(1);
    group.pause([0]);
    release();
    await new Promise((r) => setTimeout(r, 700));
    expect(batches).toHaveLength(1);
    group.resume([0]);
    await waitFor(() => batches.length === 2);
    expect(batches[1]!.records[0]!.value?.toString()).toBe('2');
    release();
  });
});
