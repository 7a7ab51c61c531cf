// Kafka's `linger.ms` for clients that lack it (kafkajs sends each `send` as its own request):
// sends to one topic within `lingerMs` of each other go to the broker as one request, so many
// small concurrent sends (one per HTTP request) cost one round trip and one compressed batch.
import type { KafkaProducer, ProducerRecord, RecordMetadata, SendOptions } from './kafka-client.js';

interface Waiting {
  records: ProducerRecord[];
  resolve: (metadata: RecordMetadata[]) => void;
  reject: (error: unknown) => void;
}

interface Pending {
  waiting: Waiting[];
  records: number;
  options: SendOptions | undefined;
  timer: NodeJS.Timeout;
}

/**
 * A producer whose sends to a topic wait up to `lingerMs` to be sent together (at most
 * `maxBatchRecords` records a request); each caller gets the metadata of its own records, and
 * every caller of a batch the broker refused gets the error.
 * @example const producer = lingeringProducer(kafka.producer({ idempotent: true }), 5);
 */
export function lingeringProducer(
  inner: KafkaProducer,
  lingerMs: number,
  maxBatchRecords = 10_000,
): KafkaProducer {
  const pending = new Map<string, Pending>();

  const sendNow = (topic: string) => {
    const batch = pending.get(topic);
    if (!batch) return;
    pending.delete(topic);
    clearTimeout(batch.timer);
    const records = batch.waiting.flatMap((w) => w.records);
    inner.send(topic, records, batch.options).then(
      (metadata) => {
        let at = 0;
        for (const w of batch.waiting) {
          w.resolve(metadata.slice(at, at + w.records.length));
          at += w.records.length;
        }
      },
      (error: unknown) => {
        for (const w of batch.waiting) w.reject(error);
      },
    );
  };

  return {
    send(topic, records, options) {
      if (records.length === 0) return Promise.resolve([]);
      return new Promise<RecordMetadata[]>((resolve, reject) => {
        let batch = pending.get(topic);
        if (batch && batch.records + records.length > maxBatchRecords) {
          sendNow(topic);
          batch = undefined;
        }
        if (!batch) {
          batch = {
            waiting: [],
            records: 0,
            options,
            timer: setTimeout(() => sendNow(topic), lingerMs),
          };
          pending.set(topic, batch);
        }
        batch.waiting.push({ records, resolve, reject });
        batch.records += records.length;
        if (batch.records >= maxBatchRecords) sendNow(topic);
      });
    },
    async close() {
      for (const topic of [...pending.keys()]) sendNow(topic);
      await inner.close();
    },
  };
}
