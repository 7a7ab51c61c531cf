import { randomUUID } from 'node:crypto';
import { cloudEventRecord, type KafkaClient } from '@shop/shared';
import { testKafka } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allReports } from '../testing/all-reports.js';
import { syntheticMonth } from '../testing/synthetic-month.js';
import { createTestbed, deliverAll, type Testbed, ZONES } from '../testing/testbed.js';
import { kafkaLines } from './kafka-lines.js';
import { replayEvents } from './replay.js';

let kafka: KafkaClient;
let live: Testbed;
let replayed: Testbed;
const topic = `reporting-replay-test-${randomUUID().slice(0, 8)}`;
beforeAll(async () => {
  kafka = testKafka('reporting-replay-test');
  await kafka.admin().createTopic({ topic, partitions: 3, replicationFactor: 1 });
  live = await createTestbed();
  replayed = await createTestbed();
});
afterAll(async () => {
  await kafka
    .admin()
    .deleteTopic(topic)
    .catch(() => {});
  await kafka.close();
  await live.cleanup();
  await replayed.cleanup();
});

describe('replay from Kafka', () => {
  it('reads binary-mode records up to the end offsets of the start and rebuilds the same reports', async () => {
    const month = syntheticMonth();
    await deliverAll(live, month);
    const producer = kafka.producer({ idempotent: true });
    await producer.send(
      topic,
      month.map((event, index) =>
        cloudEventRecord({
          id: event.id,
          type: event.type,
          source: event.source,
          time: '2026-03-31T00:00:00.000Z',
          // Spread over the partitions: reporting needs no order between them.
          partitionKey: `key-${index % 5}`,
          data: event.data,
        }),
      ),
    );
    const result = await replayEvents(replayed.db, kafkaLines(kafka, topic), { zones: ZONES });
    expect(result).toEqual({ applied: month.length, duplicates: 0, refused: [] });
    expect(await allReports(replayed)).toBe(await allReports(live));
    await producer.close();
  });
});
