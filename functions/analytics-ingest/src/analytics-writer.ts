// The ingest's way into Kafka: records go out through an idempotent producer (acks from every
// in-sync replica, gzip-compressed batches, a few ms of linger so concurrent requests share a
// produce request), and a request is answered only once Kafka acknowledged all of its
// records. What a request holds while it waits is bounded (bytes in flight); when Kafka fails
// the writer stays shut for `retryAfterSeconds` so clients are told to come back (503) at once
// instead of piling up, then lets requests try again.
import type { KafkaProducer, Logger, ProducerRecord } from '@shop/shared';

/** Kafka did not take the records (or the writer is shut or full): answer 503, keep nothing. */
export class KafkaUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'KafkaUnavailableError';
  }
}

/** Records of one topic. */
export interface TopicRecords {
  topic: string;
  records: ProducerRecord[];
}

export interface AnalyticsWriter {
  /**
   * Sends the records and resolves once Kafka acknowledged every one; rejects with
   * {@link KafkaUnavailableError} otherwise (some may still have been written: consumers
   * dedupe on the CloudEvent id, which is stable per source and messageId).
   */
  write(batches: TopicRecords[], bytes: number): Promise<void>;
  /** Bytes of requests waiting for Kafka now. */
  readonly pendingBytes: number;
  close(): Promise<void>;
}

export interface AnalyticsWriterOptions {
  /** Makes the producer; called again after a failure, so a broken session is not reused. */
  createProducer: () => KafkaProducer;
  log: Logger;
  /** Most bytes of requests waiting for Kafka at once (default 64 MiB); more get 503. */
  maxPendingBytes?: number;
  /** Seconds clients are told to wait, and the writer stays shut, after a failure (default 2). */
  retryAfterSeconds?: number;
  /** Milliseconds Kafka may take to acknowledge (default 5,000). */
  sendTimeoutMs?: number;
  clock?: () => number;
}

/** @example const writer = createAnalyticsWriter({ createProducer: () => kafka.producer({ idempotent: true }), log }); */
export function createAnalyticsWriter(options: AnalyticsWriterOptions): AnalyticsWriter {
  const maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
  const retryAfterSeconds = options.retryAfterSeconds ?? 2;
  const sendTimeoutMs = options.sendTimeoutMs ?? 5_000;
  const now = options.clock ?? Date.now;
  let producer = options.createProducer();
  let pendingBytes = 0;
  let shutUntil = 0;
  let closed = false;

  const fail = (failed: KafkaProducer, error: unknown) => {
    if (shutUntil <= now()) {
      options.log.error(
        { err: error, retryAfterSeconds },
        'Kafka did not acknowledge analytics records; answering 503 for now',
      );
    }
    shutUntil = now() + retryAfterSeconds * 1_000;
    if (failed === producer && !closed) {
      producer = options.createProducer();
      failed.close().catch(() => {});
    }
  };

  return {
    async write(batches, bytes) {
      if (closed) throw new KafkaUnavailableError('the ingest is shutting down', retryAfterSeconds);
      if (shutUntil > now()) {
        throw new KafkaUnavailableError('Kafka is unavailable', retryAfterSeconds);
      }
      if (pendingBytes + bytes > maxPendingBytes) {
        throw new KafkaUnavailableError('too many events wait for Kafka', retryAfterSeconds);
      }
      pendingBytes += bytes;
      const using = producer;
      try {
        await Promise.all(
          batches
            .filter((batch) => batch.records.length > 0)
            .map((batch) =>
              using.send(batch.topic, batch.records, { acks: -1, timeoutMs: sendTimeoutMs }),
            ),
        );
      } catch (error) {
        fail(using, error);
        throw new KafkaUnavailableError('Kafka did not acknowledge the events', retryAfterSeconds);
      } finally {
        pendingBytes -= bytes;
      }
    },
    get pendingBytes() {
      return pendingBytes;
    },
    async close() {
      closed = true;
      await producer.close();
    },
  };
}
