// The analytics-ingest function as the kit runs it: `node dist/main.js` serves,
// `node dist/main.js migrate` is the migration job.
import {
  ConfigError,
  defineFunction,
  ensureTopics,
  type FunctionConfig,
  type KafkaClient,
  kafkaFor,
} from '@shop/shared';
import { z } from 'zod';
import { createApp } from './app.js';
import { buildIngest } from './build-ingest.js';
import type { IngestSettings } from './deps.js';
import { makeWriteKey } from './domain/hash-write-key.js';
import { events } from './events.js';
import type { Ingest } from './ingest.js';
import { seedDemoSource } from './seed.js';

export { type AnalyticsIngestAppDeps, createApp } from './app.js';
export { buildIngest, type IngestOptions } from './build-ingest.js';
export { hashWriteKey, makeWriteKey } from './domain/hash-write-key.js';
export { events } from './events.js';
export { MAX_BATCH_BYTES, MAX_BATCH_CALLS, MAX_CALL_BYTES, stableEventId } from './ingest.js';
export { seedDemoSource } from './seed.js';

const DEV_SECRET = 'dev-only-analytics-write-key-secret-not-for-production';
const DEV_SITES = [4321, 4322, 4323].flatMap((port) => [
  `http://localhost:${port}`,
  `http://127.0.0.1:${port}`,
]);
const positiveInt = z.coerce.number().int().min(1);
const topic = (name: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/)
    .default(name);

const configShape = {
  /** Kafka topic of the analytics calls (the one redirect's clicks use). */
  ANALYTICS_TOPIC: topic('shop-analytics'),
  /** Where a visitor key over its rate goes, so it cannot stall its partition. */
  ANALYTICS_OVERFLOW_TOPIC: topic('shop-analytics-overflow'),
  /** Where calls that happened over a day before they arrived go. */
  ANALYTICS_HISTORICAL_TOPIC: topic('shop-analytics-historical'),
  /** HMAC key write keys are stored under; required with DATABASE_URL (a Secret). */
  ANALYTICS_WRITE_KEY_SECRET: z.string().min(32).optional(),
  /** Embedded database only: the demo source's write key (else one is made up at each start). */
  ANALYTICS_DEMO_WRITE_KEY: z
    .string()
    .regex(/^[\x21-\x7e]{16,200}$/)
    .optional(),
  /** Browser origins allowed to call the tracking routes (comma-separated): the shop's sites. */
  ANALYTICS_CORS_ORIGINS: z.string().optional(),
  /** The query parameter the redirect puts the click id in. */
  CLICK_ID_PARAM: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/)
    .default('shop_click'),
  /** A visitor key's events per second before its calls overflow, and its burst. */
  ANALYTICS_VISITOR_RATE: positiveInt.default(100),
  ANALYTICS_VISITOR_BURST: positiveInt.default(1_000),
  /** Seconds a kept messageId is remembered for dedupe (Segment: a day). */
  ANALYTICS_DEDUPE_SECONDS: positiveInt.default(86_400),
  /** Milliseconds calls of concurrent requests wait to share a produce request (linger.ms). */
  KAFKA_LINGER_MS: z.coerce.number().int().min(0).max(1_000).default(5),
  /** Milliseconds Kafka has to acknowledge a produce request. */
  KAFKA_SEND_TIMEOUT_MS: positiveInt.max(60_000).default(5_000),
  /**
   * Milliseconds a produce request goes on retrying (backing off from 0.1 s, doubling up to 5 s)
   * before the send fails: a send keeps going through a broker away this long, so a record whose
   * acknowledgement was lost is deduplicated by Kafka instead of written again. At most 100 s,
   * below the two minutes a messageId's claim lives.
   */
  KAFKA_DELIVERY_TIMEOUT_MS: positiveInt.max(100_000).default(60_000),
  /** Bytes of requests that may wait for Kafka at once; beyond, 503 (bounded memory). */
  INGEST_MAX_PENDING_BYTES: positiveInt.default(64 * 1024 * 1024),
  /** Seconds clients are told to wait (Retry-After) when Kafka is unavailable. */
  INGEST_RETRY_AFTER_SECONDS: positiveInt.max(300).default(2),
  /** Milliseconds a write key's source is cached: how long a revocation takes elsewhere. */
  WRITE_KEY_CACHE_MS: positiveInt.max(60_000).default(5_000),
};

type ParsedConfig = FunctionConfig<typeof configShape>;

/** The function's config: the parsed environment and what the routes read. */
export type AnalyticsIngestConfig = ParsedConfig & { settings: IngestSettings };

/** What analytics-ingest builds at start; tests may replace any of it. */
export interface AnalyticsIngestServices {
  kafka: KafkaClient;
  ingest: Ingest;
}

function resolveConfig(config: ParsedConfig): AnalyticsIngestConfig {
  const problems: { variable: string; message: string }[] = [];
  if (config.DATABASE_URL && !config.ANALYTICS_WRITE_KEY_SECRET) {
    problems.push({
      variable: 'ANALYTICS_WRITE_KEY_SECRET',
      message: 'must be set with DATABASE_URL (at least 32 random characters, kept in a secret)',
    });
  }
  if (config.DATABASE_URL && config.ANALYTICS_DEMO_WRITE_KEY) {
    problems.push({
      variable: 'ANALYTICS_DEMO_WRITE_KEY',
      message: 'is for the embedded database only: real sources are created by staff',
    });
  }
  const origins = (config.ANALYTICS_CORS_ORIGINS?.split(',') ?? DEV_SITES)
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push({ variable: 'ANALYTICS_CORS_ORIGINS', message: `${origin} is not an origin` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...config,
    settings: {
      writeKeySecret: config.ANALYTICS_WRITE_KEY_SECRET ?? DEV_SECRET,
      corsOrigins: origins,
    },
  };
}

/**
 * Segment-compatible analytics ingest: PostgreSQL schema `analytics_ingest` (sources), Redis
 * (REDIS_URL) for messageId dedupe, Kafka (KAFKA_BROKERS, else the in-memory log), port 8087.
 * On the embedded database it seeds a demo source and prints its write key.
 * @example const running = await analyticsIngest.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const analyticsIngest = defineFunction({
  name: 'analytics-ingest',
  port: 8087,
  config: configShape,
  resolveConfig,
  database: { migrations: new URL('../migrations/', import.meta.url) },
  keyValue: true,
  events,
  async seed({ db, config }) {
    const given = config.ANALYTICS_DEMO_WRITE_KEY;
    const writeKey = given ?? makeWriteKey();
    const seeded = await seedDemoSource(db, writeKey, config.settings.writeKeySecret);
    // The log scrubs keys like this one, so a key made up here is printed once, plainly.
    if (!given) console.log(`analytics-ingest demo write key (${seeded.source}): ${writeKey}`);
    return seeded;
  },
  async services({ db, kv, log, lifecycle, metrics, config }): Promise<AnalyticsIngestServices> {
    const kafka = kafkaFor({ brokers: config.KAFKA_BROKERS, clientId: 'analytics-ingest', log });
    const topics = {
      main: config.ANALYTICS_TOPIC,
      overflow: config.ANALYTICS_OVERFLOW_TOPIC,
      historical: config.ANALYTICS_HISTORICAL_TOPIC,
    };
    // Provisioned with the cluster in production; created here for dev and tests.
    await ensureTopics(kafka, Object.values(topics), log);
    const ingest = buildIngest({
      db,
      kv,
      log,
      metrics,
      producer: kafka.producer({
        idempotent: true,
        compression: 'gzip',
        lingerMs: config.KAFKA_LINGER_MS,
        deliveryTimeoutMs: config.KAFKA_DELIVERY_TIMEOUT_MS,
      }),
      topics,
      writeKeySecret: config.settings.writeKeySecret,
      clickIdParam: config.CLICK_ID_PARAM,
      visitorRatePerSecond: config.ANALYTICS_VISITOR_RATE,
      visitorBurst: config.ANALYTICS_VISITOR_BURST,
      maxPendingBytes: config.INGEST_MAX_PENDING_BYTES,
      retryAfterSeconds: config.INGEST_RETRY_AFTER_SECONDS,
      sendTimeoutMs: config.KAFKA_SEND_TIMEOUT_MS,
      dedupeWindowSeconds: config.ANALYTICS_DEDUPE_SECONDS,
      writeKeyCacheMs: config.WRITE_KEY_CACHE_MS,
    });
    // Hooks run in reverse: the counters and the producer finish before Kafka closes, all
    // before the database and Redis (registered earlier by the kit) close.
    lifecycle.onShutdown('kafka', () => kafka.close());
    lifecycle.onShutdown('ingest', async () => {
      await ingest.writer.close();
      await ingest.counters.close();
    });
    return { kafka, ingest };
  },
  createApp: (deps) => createApp({ ...deps, settings: deps.config.settings }),
});

/** A started analytics-ingest function. */
export type RunningAnalyticsIngest = Awaited<ReturnType<typeof analyticsIngest.start>>;

analyticsIngest.runIfEntryPoint(import.meta.url);
