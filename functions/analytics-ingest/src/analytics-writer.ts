// The ingest's way into Kafka: records go out through one idempotent producer (acks from every
// in-sync replica, gzip-compressed batches, a few ms of linger so concurrent requests share a
// produce request), and a request is answered 200 only once Kafka acknowledged all of its
// records. A request waits at most `sendTimeoutMs`: past it the client is told to come back
// (503) while the send goes on under the producer's own retries, which Kafka deduplicates (same
// producer id, same sequence numbers) — so a record whose acknowledgement was lost in a broker
// restart is not written twice, and the caller learns the outcome later (`onSettled`). What
// waits is bounded (bytes in flight); after a failure or a late acknowledgement the writer
// stays shut for `retryAfterSeconds`, so clients come back at once instead of piling up.
import type { KafkaProducer, Logger, ProducerRecord } from '@shop/shared';

/** Kafka did not take the records (or the writer is shut or full): answer 503. */
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

/**
 * How a write ended, told once per write: `true` when Kafka acknowledged every record, `false`
 * when it was refused or failed (then some of a request's topics may have been written: consumers
 * dedupe on the CloudEvent id, which is stable per source and messageId).
 */
export type OnSettled = (acknowledged: boolean) => Promise<void> | void;

export interface AnalyticsWriter {
  /**
   * Sends the records; resolves once Kafka acknowledged every one (after `onSettled(true)`
   * finished), rejects with {@link KafkaUnavailableError} when refused, failed, or not
   * acknowledged within `sendTimeoutMs` — in that last case the send goes on and `onSettled`
   * is called when it ends.
   */
  write(batches: TopicRecords[], bytes: number, onSettled?: OnSettled): Promise<void>;
  /** Bytes of requests waiting for Kafka now (answered or not). */
  readonly pendingBytes: number;
  close(): Promise<void>;
}

export interface AnalyticsWriterOptions {
  /** The idempotent producer, kept for the life of the process (the kit retires its kafkajs
   * client after a failed send, so a broken session is never reused). */
  producer: KafkaProducer;
  log: Logger;
  /** Most bytes of requests waiting for Kafka at once (default 64 MiB); more get 503. */
  maxPendingBytes?: number;
  /** Seconds clients are told to wait, and the writer stays shut, after a failure (default 2). */
  retryAfterSeconds?: number;
  /** Milliseconds a request waits for Kafka's acknowledgement before it is answered 503 (default 5,000). */
  sendTimeoutMs?: number;
  clock?: () => number;
}

/** @example const writer = createAnalyticsWriter({ producer: kafka.producer({ idempotent: true }), log }); */
export function createAnalyticsWriter(options: AnalyticsWriterOptions): AnalyticsWriter {
  const { producer } = options;
  const maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
  const retryAfterSeconds = options.retryAfterSeconds ?? 2;
  const sendTimeoutMs = options.sendTimeoutMs ?? 5_000;
  const now = options.clock ?? Date.now;
  let pendingBytes = 0;
  let shutUntil = 0;
  let closed = false;

  const shut = (error: unknown, message: string) => {
    if (shutUntil <= now()) options.log.error({ err: error, retryAfterSeconds }, message);
    shutUntil = now() + retryAfterSeconds * 1_000;
  };
  const refuse = async (onSettled: OnSettled | undefined, reason: string): Promise<never> => {
    await onSettled?.(false);
    throw new KafkaUnavailableError(reason, retryAfterSeconds);
  };

  return {
    async write(batches, bytes, onSettled) {
      if (closed) return refuse(onSettled, 'the ingest is shutting down');
      if (shutUntil > now()) return refuse(onSettled, 'Kafka is unavailable');
      if (pendingBytes + bytes > maxPendingBytes) {
        return refuse(onSettled, 'too many events wait for Kafka');
      }
      pendingBytes += bytes;
      const settled = Promise.all(
        batches
          .filter((batch) => batch.records.length > 0)
          .map((batch) =>
            producer.send(batch.topic, batch.records, { acks: -1, timeoutMs: sendTimeoutMs }),
          ),
      )
        .then(
          () => true,
          (error: unknown) => {
            shut(error, 'Kafka did not acknowledge analytics records; answering 503 for now');
            return false;
          },
        )
        .then(async (acknowledged) => {
          try {
            await onSettled?.(acknowledged);
          } finally {
            pendingBytes -= bytes;
          }
          return acknowledged;
        });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), sendTimeoutMs);
      });
      const outcome = await Promise.race([settled, late]).finally(() => clearTimeout(timer));
      if (outcome === true) return;
      if (outcome === 'late') {
        shut(
          new Error(`no acknowledgement within ${sendTimeoutMs} ms`),
          'Kafka has not acknowledged analytics records in time; answering 503 while the send goes on',
        );
        throw new KafkaUnavailableError(
          'Kafka has not acknowledged the events yet',
          retryAfterSeconds,
        );
      }
      throw new KafkaUnavailableError('Kafka did not acknowledge the events', retryAfterSeconds);
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
