import { describe, expect, it } from 'vitest';
import type { KafkaProducer, ProducerRecord } from './kafka-client.js';
import { lingeringProducer } from './linger.js';
import { createMemoryKafka } from './memory.js';

function counting(inner: KafkaProducer) {
  const requests: number[] = [];
  const producer: KafkaProducer = {
    send: (topic, records, options) => {
      requests.push(records.length);
      return inner.send(topic, records, options);
    },
    close: () => inner.close(),
  };
  return { producer, requests };
}

const record = (key: string): ProducerRecord => ({ key, value: key });

describe('lingeringProducer', () => {
  it('sends concurrent sends to one topic as one request, each caller getting its own offsets', async () => {
    const kafka = createMemoryKafka();
    await kafka.admin().createTopic({ topic: 't', partitions: 1, replicationFactor: 1 });
    const { producer, requests } = counting(kafka.producer());
    const lingering = lingeringProducer(producer, 5);
    const [a, b] = await Promise.all([
      lingering.send('t', [record('a1'), record('a2')]),
      lingering.send('t', [record('b1')]),
    ]);
    expect(requests).toEqual([3]);
    expect(a.map((m) => m.offset)).toEqual(['0', '1']);
    expect(b.map((m) => m.offset)).toEqual(['2']);
    await kafka.close();
  });

  it('rejects every caller of a batch the broker refused', async () => {
    const failing: KafkaProducer = {
      send: () => Promise.reject(new Error('down')),
      close: async () => {},
    };
    const lingering = lingeringProducer(failing, 2);
    const results = await Promise.allSettled([
      lingering.send('t', [record('a')]),
      lingering.send('t', [record('b')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('sends at once when a batch reaches its record limit', async () => {
    const kafka = createMemoryKafka();
    await kafka.admin().createTopic({ topic: 't', partitions: 1, replicationFactor: 1 });
    const { producer, requests } = counting(kafka.producer());
    const lingering = lingeringProducer(producer, 10_000, 2);
    await lingering.send('t', [record('a'), record('b')]);
    expect(requests).toEqual([2]);
    await kafka.close();
  });
});
