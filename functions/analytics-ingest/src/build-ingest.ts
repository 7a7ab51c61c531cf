// The ingest's parts built from the stores and the producer, once per process (main.ts) or
// per test (testing/testbed.ts).
import type { Database, KafkaProducer, KeyValue, Logger, ServiceMetrics } from '@shop/shared';
import { createAnalyticsWriter } from './analytics-writer.js';
import type { AnalyticsTopics } from './domain/choose-topic.js';
import { createHotVisitors } from './hot-visitors.js';
import type { Ingest } from './ingest.js';
import { createIngestCounter } from './ingest-metrics.js';
import { createMessageDedupe } from './message-dedupe.js';
import { createSourceCounters } from './source-counters.js';
import { createWriteKeys } from './write-keys.js';

export interface IngestOptions {
  db: Database;
  kv: KeyValue;
  log: Logger;
  metrics: ServiceMetrics;
  /** The idempotent producer of the analytics topics. */
  producer: KafkaProducer;
  topics: AnalyticsTopics;
  writeKeySecret: string;
  clickIdParam?: string;
  /** A visitor key's events per second before it overflows (default 100), and its burst (1,000). */
  visitorRatePerSecond?: number;
  visitorBurst?: number;
  maxPendingBytes?: number;
  retryAfterSeconds?: number;
  sendTimeoutMs?: number;
  dedupeWindowSeconds?: number;
  writeKeyCacheMs?: number;
  clock?: () => Date;
}

/** @example const ingest = buildIngest({ db, kv, log, metrics, producer, topics, writeKeySecret }); */
export function buildIngest(options: IngestOptions): Ingest {
  const { db, kv, log } = options;
  const clock = options.clock ?? (() => new Date());
  return {
    writeKeys: createWriteKeys({
      db,
      secret: options.writeKeySecret,
      ...(options.writeKeyCacheMs !== undefined && { ttlMs: options.writeKeyCacheMs }),
    }),
    dedupe: createMessageDedupe({
      kv,
      ...(options.dedupeWindowSeconds !== undefined && {
        windowSeconds: options.dedupeWindowSeconds,
      }),
    }),
    writer: createAnalyticsWriter({
      producer: options.producer,
      log,
      ...(options.maxPendingBytes !== undefined && { maxPendingBytes: options.maxPendingBytes }),
      ...(options.retryAfterSeconds !== undefined && {
        retryAfterSeconds: options.retryAfterSeconds,
      }),
      ...(options.sendTimeoutMs !== undefined && { sendTimeoutMs: options.sendTimeoutMs }),
      clock: () => clock().getTime(),
    }),
    hot: createHotVisitors({
      ratePerSecond: options.visitorRatePerSecond ?? 100,
      burst: options.visitorBurst ?? 1_000,
    }),
    counters: createSourceCounters({ db, log }),
    counter: createIngestCounter(options.metrics),
    topics: options.topics,
    clickIdParam: options.clickIdParam ?? 'shop_click',
    clock,
    log,
  };
}
