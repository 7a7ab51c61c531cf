// The events of Kafka topics as replay lines: every record the topics hold (their retention)
// up to the end offsets when the read starts, through a consumer group of its own that commits
// nothing, each binary-mode record (ce_* headers, data as the value) turned into a structured
// CloudEvent. The broker's topic and the analytics topics are both written that way.
import { randomUUID } from 'node:crypto';
import type { ConsumedRecord, KafkaClient } from '@shop/shared';

/** A binary-mode CloudEvent record as one structured-mode JSON line. */
export function recordToLine(record: ConsumedRecord): string {
  const header = (name: string) => record.headers[name]?.toString('utf8');
  let data: unknown = null;
  try {
    data = record.value ? JSON.parse(record.value.toString('utf8')) : null;
  } catch {
    data = record.value?.toString('utf8') ?? null;
  }
  return JSON.stringify({
    specversion: header('ce_specversion'),
    id: header('ce_id'),
    source: header('ce_source'),
    type: header('ce_type'),
    time: header('ce_time'),
    data,
  });
}

/**
 * Reads `topic` from its log start to the end offsets it had when called, one line per record,
 * holding the next batch back until the caller took the last (backpressure).
 * @example for await (const line of kafkaLines(kafka, 'shop-analytics')) …
 */
export async function* kafkaLines(kafka: KafkaClient, topic: string): AsyncGenerator<string> {
  const ends = new Map(
    (await kafka.admin().topicOffsets(topic))
      .filter((p) => BigInt(p.high) > BigInt(p.low))
      .map((p) => [p.partition, BigInt(p.high)]),
  );
  if (ends.size === 0) return;
  const group = kafka.consumerGroup({
    groupId: `reporting-replay-${randomUUID()}`,
    topic,
    startAt: 'earliest',
  });
  // Batches of several partitions may wait at once: each is released when its lines are taken.
  const queue: { lines: string[]; release: () => void }[] = [];
  let wake: (() => void) | undefined;
  const done = new Set<number>();
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  await group.run({
    async onBatch(batch) {
      const end = ends.get(batch.partition);
      if (end === undefined || done.has(batch.partition)) return;
      const lines: string[] = [];
      for (const record of batch.records) {
        if (BigInt(record.offset) >= end) break;
        lines.push(recordToLine(record));
        if (BigInt(record.offset) === end - 1n) done.add(batch.partition);
      }
      if (done.has(batch.partition)) group.pause([batch.partition]);
      await new Promise<void>((release) => {
        queue.push({ lines, release });
        notify();
      });
    },
  });
  try {
    while (true) {
      const next = queue.shift();
      if (next) {
        yield* next.lines;
        next.release();
        continue;
      }
      if (done.size === ends.size) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    for (const waiting of queue.splice(0)) waiting.release();
    await group.stop();
  }
}
