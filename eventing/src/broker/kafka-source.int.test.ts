// A KafkaSource on the real Kafka of `npm run infra -- up`, across a Kafka restart: records an
// idempotent kafkajs producer writes straight to three topics (as redirect and analytics-ingest
// write the analytics topics) are each delivered at least once, handled exactly once through the
// kit's receiver (dedupe on source + id), and per key first delivered in the order written.
import { createKafkajsClient } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import {
  expectAcknowledgedHandledOnce,
  restartKafkaMidStream,
  restartSuiteCleanups,
  skipKafkaRestart,
  startBrokerOnLocalKafka,
} from './kafka-restart.js';
import {
  COUNTED_TYPE,
  kafkaSourceResource,
  releaseTestKafka,
  startCountingReceiver,
  uniqueName,
} from './test-support.js';

const cleanups = restartSuiteCleanups();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Needs the Kafka `npm run infra -- up` started (it stops and starts that JVM); must run in CI.
describe.skipIf(skipKafkaRestart)('KafkaSource across a Kafka restart', () => {
  it('delivers every acknowledged record at least once, exactly once through the receiver, in key order', async () => {
    const receiver = await startCountingReceiver();
    cleanups.push(() => receiver.close());
    const kafka = createKafkajsClient({
      brokers: process.env.KAFKA_BROKERS ?? '',
      clientId: 'kafka-source-int',
    });
    const topics = [uniqueName('analytics-'), uniqueName('overflow-'), uniqueName('historical-')];
    cleanups.push(() => releaseTestKafka(kafka, [], topics));
    await startBrokerOnLocalKafka(
      cleanups,
      [
        kafkaSourceResource('shop', uniqueName('ks-'), topics, receiver.url, {
          delivery: { retry: 40, backoffPolicy: 'linear', backoffDelay: 'PT0.1S' },
        }),
      ],
      { sourceTopicPartitions: 3 },
    );
    const producer = kafka.producer({ idempotent: true });
    cleanups.push(() => producer.close());

    // Write ~50 records/s for the whole run, keyed by 7 visitors over the three topics; keep
    // the ids Kafka acknowledged, and per key the order they were written in.
    const acked = new Set<string>();
    const written = new Map<string, string[]>();
    let writing = true;
    let n = 0;
    let failures = 0;
    const writer = (async () => {
      while (writing) {
        const id = n++;
        const key = `k${id % 7}`;
        const record = {
          key,
          value: JSON.stringify({ key, n: id }),
          headers: {
            ce_specversion: '1.0',
            ce_id: `c${id}`,
            ce_source: '/shop/test',
            ce_type: COUNTED_TYPE,
            ce_partitionkey: key,
            'content-type': 'application/json',
          },
        };
        try {
          // One topic per key, as one visitor's events stay on one topic and partition.
          await producer.send(topics[(id % 7) % 3]!, [record], { acks: -1, timeoutMs: 5_000 });
          acked.add(`c${id}`);
          written.set(key, [...(written.get(key) ?? []), `c${id}`]);
        } catch {
          failures++;
        }
        await sleep(20);
      }
    })();

    const counts = await restartKafkaMidStream(() => acked.size);
    writing = false;
    await writer;

    const duplicates = await expectAcknowledgedHandledOnce(receiver, acked, counts);
    // Ordered delivery: per key, each record is first delivered after the ones written before it.
    const firstDelivered: string[] = [];
    const seen = new Set<string>();
    for (const request of receiver.received) {
      const id = String(request.headers['ce-id']);
      if (!seen.has(id)) firstDelivered.push(id);
      seen.add(id);
    }
    for (const [key, ids] of written) {
      const order = firstDelivered.filter((id) => ids.includes(id));
      expect(order, key).toEqual(ids);
    }
    console.info(
      `KafkaSource over a Kafka restart: ${n} written, ${acked.size} acknowledged, ${failures} sends failed, ${duplicates} delivered more than once`,
    );
  }, 240_000);
});
