// Test helpers of analytics-ingest: a migrated database, the key-value store, the in-memory
// Kafka log (or real ones in test:integration), a source with a known write key, the app.
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createMetrics,
  type Database,
  type KafkaClient,
  type KafkaProducer,
  type KeyValue,
  type ServiceEnv,
  type ServiceMetrics,
  silentLogger,
} from '@shop/shared';
import {
  identityHeaders,
  testDatabase,
  testKafka,
  testKeyValue,
  testVerifyToken,
} from '@shop/shared/testing';
import { createApp } from '../app.js';
import { buildIngest, type IngestOptions } from '../build-ingest.js';
import type { AnalyticsTopics } from '../domain/choose-topic.js';
import type { Ingest } from '../ingest.js';
import { analyticsIngest } from '../main.js';
import { seedDemoSource } from '../seed.js';

export const TEST_SECRET = 'test-write-key-secret-test-write-key-secret';

/** Three topics no other test uses. */
export function testTopics(): AnalyticsTopics {
  const run = crypto.randomUUID().slice(0, 8);
  return {
    main: `shop-analytics-test-${run}`,
    overflow: `shop-analytics-overflow-test-${run}`,
    historical: `shop-analytics-historical-test-${run}`,
  };
}

/** One record as read back from a topic. */
export interface ReadRecord {
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  data: Record<string, unknown>;
}

/** Every record on `topic` so far (a fresh consumer group from the start). */
export async function readTopic(
  kafka: KafkaClient,
  topic: string,
  expected = 0,
): Promise<ReadRecord[]> {
  const group = kafka.consumerGroup({
    groupId: `read-${crypto.randomUUID()}`,
    topic,
    startAt: 'earliest',
  });
  const seen: ReadRecord[] = [];
  await group.run({
    async onBatch(batch) {
      for (const record of batch.records) {
        seen.push({
          topic,
          key: record.key?.toString('utf8') ?? null,
          headers: Object.fromEntries(
            Object.entries(record.headers).map(([name, value]) => [name, value.toString('utf8')]),
          ),
          data: JSON.parse(record.value?.toString('utf8') ?? 'null') as Record<string, unknown>,
        });
      }
    },
  });
  const deadline = Date.now() + (kafka.kind === 'memory' ? 50 : 20_000);
  while (seen.length < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // A moment more for records past the expected count (there must be none).
  await new Promise((resolve) => setTimeout(resolve, kafka.kind === 'memory' ? 10 : 500));
  await group.stop();
  return seen;
}

export interface Testbed {
  db: Database;
  kv: KeyValue;
  kafka: KafkaClient;
  metrics: ServiceMetrics;
  topics: AnalyticsTopics;
  ingest: Ingest;
  app: OpenAPIHono<ServiceEnv>;
  /** The write key of the testbed's source, and its id. */
  writeKey: string;
  sourceId: string;
  read(topic?: string, expected?: number): Promise<ReadRecord[]>;
  metric(type: string, outcome: string): Promise<number>;
  cleanup(): Promise<void>;
}

export async function createTestbed(
  options: {
    clock?: () => Date;
    kafka?: KafkaClient;
    /** Wraps the producer (e.g. to make it fail). */
    producer?: (inner: KafkaProducer) => KafkaProducer;
    ingest?: Partial<IngestOptions>;
  } = {},
): Promise<Testbed> {
  const { db, cleanup: dropDb } = await testDatabase();
  await analyticsIngest.applyMigrations(db);
  const { kv, cleanup: closeKv } = testKeyValue();
  const kafka = options.kafka ?? testKafka('analytics-ingest-test');
  const topics = testTopics();
  for (const topic of Object.values(topics)) {
    await kafka.admin().createTopic({ topic, partitions: 3, replicationFactor: 1 });
  }
  const log = silentLogger();
  const metrics = createMetrics({ service: 'analytics-ingest' });
  // As main.ts makes it, with a shorter linger.
  const producer = kafka.producer({
    idempotent: true,
    compression: 'gzip',
    lingerMs: 2,
    deliveryTimeoutMs: 60_000,
  });
  const ingest = buildIngest({
    db,
    kv,
    log,
    metrics,
    producer: options.producer ? options.producer(producer) : producer,
    topics,
    writeKeySecret: TEST_SECRET,
    ...(options.clock && { clock: options.clock }),
    ...options.ingest,
  });
  const writeKey = `wk_test_${crypto.randomUUID().replaceAll('-', '')}`;
  const { sourceId } = await seedDemoSource(db, writeKey, TEST_SECRET);
  const app = createApp({
    db,
    log,
    metrics,
    ingest,
    settings: { writeKeySecret: TEST_SECRET, corsOrigins: ['https://shop.example'] },
    verifyToken: testVerifyToken,
    ...(options.clock && { clock: options.clock }),
  });
  return {
    db,
    kv,
    kafka,
    metrics,
    topics,
    ingest,
    app,
    writeKey,
    sourceId,
    read: (topic = topics.main, expected = 0) => readTopic(kafka, topic, expected),
    async metric(type, outcome) {
      const metric = await metrics.registry
        .getSingleMetric('shop_analytics_events_ingested_total')
        ?.get();
      return (
        metric?.values.find(
          (v) => v.labels.analytics_event_type === type && v.labels.outcome === outcome,
        )?.value ?? 0
      );
    },
    async cleanup() {
      await ingest.writer.close();
      await ingest.counters.close();
      if (!options.kafka) await kafka.close();
      await closeKv();
      await dropDb();
    },
  };
}

/** Basic credentials of a write key, as Segment clients send them. */
export function basic(writeKey: string): { authorization: string } {
  return { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` };
}

/** A POST of `body` (JSON unless a string) to `path`. */
export function post(
  app: OpenAPIHono<ServiceEnv>,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** The Authorization header of a staff member (test issuer). */
export function asStaff(userId = 'staff-test'): { authorization: string } {
  return identityHeaders({ userId, roles: ['staff'] });
}
