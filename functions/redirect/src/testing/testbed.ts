// Test helpers of the redirect function: a migrated database, the key-value store, the
// in-memory Kafka log (or real ones in test:integration), and the app built on them.
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createMetrics,
  type Database,
  functionAudience,
  type KafkaClient,
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
  testVerifyEventSender,
  testVerifyToken,
} from '@shop/shared/testing';
import { createApp } from '../app.js';
import { type ClickRecorder, createClickRecorder } from '../click-recorder.js';
import { countryLookupFrom } from '../country-lookup.js';
import type { RedirectSettings } from '../deps.js';
import { parseAllowedHosts } from '../domain/validate-destination.js';
import { createLinkCache, type LinkCache } from '../link-cache.js';
import { redirect } from '../main.js';
import { createRedirectCounter } from '../redirect-metrics.js';
import { createRepeatClicks } from '../repeat-clicks.js';

/** The analytics topic of one testbed (its own on real Kafka, so runs do not mix). */
const topicName = () => `shop-analytics-test-${crypto.randomUUID().slice(0, 8)}`;

export const TEST_SETTINGS: RedirectSettings = {
  destinationPolicy: { hosts: parseAllowedHosts('shop.example,*.shop.example') },
  clickIdParam: 'shop_click',
  secret: 'test-secret-test-secret-test-secret-42',
  unlockSeconds: 900,
};

export interface Testbed {
  db: Database;
  kv: KeyValue;
  kafka: KafkaClient;
  metrics: ServiceMetrics;
  links: LinkCache;
  clicks: ClickRecorder;
  app: OpenAPIHono<ServiceEnv>;
  /** Every click record on the topic so far (waits for the pending batch first). */
  recordedClicks(): Promise<{ headers: Record<string, string>; data: Record<string, unknown> }[]>;
  metric(outcome: string): Promise<number>;
  cleanup(): Promise<void>;
}

export async function createTestbed(
  options: { clock?: () => Date; kafka?: KafkaClient; maxBuffered?: number } = {},
): Promise<Testbed> {
  const { db, cleanup: dropDb } = await testDatabase();
  await redirect.applyMigrations(db);
  const { kv, cleanup: closeKv } = testKeyValue();
  const kafka = options.kafka ?? testKafka('redirect-test');
  const TOPIC = topicName();
  await kafka.admin().createTopic({ topic: TOPIC, partitions: 1, replicationFactor: 1 });
  const log = silentLogger();
  const metrics = createMetrics({ service: 'redirect' });
  const counter = createRedirectCounter(metrics);
  const producer = kafka.producer({ idempotent: true });
  let sent = 0;
  const clicks = createClickRecorder({
    producer: {
      async send(topic, records, sendOptions) {
        const result = await producer.send(topic, records, sendOptions);
        sent += records.length;
        return result;
      },
      close: () => producer.close(),
    },
    topic: TOPIC,
    db,
    log,
    lingerMs: 10,
    ...(options.maxBuffered !== undefined && { maxBuffered: options.maxBuffered }),
    onDropped: (count) => counter('click_dropped', count),
  });
  const links = createLinkCache({ db, kv, log, ttlMs: 1_000 });
  const app = createApp({
    db,
    kv,
    log,
    metrics,
    links,
    clicks,
    repeats: createRepeatClicks({ kv, log }),
    country: countryLookupFrom([
      ['203.0.113.0', '203.0.113.255', 'DE'],
      ['198.51.100.0', '198.51.100.255', 'FR'],
    ]),
    settings: TEST_SETTINGS,
    verifyToken: testVerifyToken,
    verifyEventSender: testVerifyEventSender(functionAudience('redirect')),
    ...(options.clock && { clock: options.clock }),
  });
  return {
    db,
    kv,
    kafka,
    metrics,
    links,
    clicks,
    app,
    async recordedClicks() {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await clicks.flush();
      const group = kafka.consumerGroup({
        groupId: `read-${crypto.randomUUID()}`,
        topic: TOPIC,
        startAt: 'earliest',
      });
      const seen: { headers: Record<string, string>; data: Record<string, unknown> }[] = [];
      await group.run({
        async onBatch(batch) {
          for (const record of batch.records) {
            seen.push({
              headers: Object.fromEntries(
                Object.entries(record.headers).map(([name, value]) => [
                  name,
                  value.toString('utf8'),
                ]),
              ),
              data: JSON.parse(record.value?.toString('utf8') ?? 'null') as Record<string, unknown>,
            });
          }
        },
      });
      // The memory log hands records over at once; a real group needs a moment after joining.
      const expected = sent;
      const deadline = Date.now() + (kafka.kind === 'memory' ? 50 : 15_000);
      while (seen.length < expected && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (kafka.kind === 'memory') await new Promise((resolve) => setTimeout(resolve, 20));
      await group.stop();
      return seen;
    },
    async metric(outcome) {
      const metric = await metrics.registry.getSingleMetric('shop_redirects_total')?.get();
      return metric?.values.find((value) => value.labels.outcome === outcome)?.value ?? 0;
    },
    async cleanup() {
      await clicks.close(1_000);
      links.close();
      if (!options.kafka) await kafka.close();
      await closeKv();
      await dropDb();
    },
  };
}

/** The Authorization header of a staff member (test issuer). */
export function asStaff(userId = 'staff-test'): { authorization: string } {
  return identityHeaders({ userId, roles: ['staff'] });
}

/** A JSON request to the app as staff. */
export function sendAsStaff(
  app: OpenAPIHono<ServiceEnv>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method,
      headers: {
        ...asStaff(),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    }),
  );
}

/** A browser's visit of /r/:code from `ip` (behind the gateway, which appends the peer). */
export function visit(
  app: OpenAPIHono<ServiceEnv>,
  path: string,
  options: {
    ip?: string;
    userAgent?: string;
    method?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: options.method ?? 'GET',
      headers: {
        'x-forwarded-for': options.ip ?? '203.0.113.7',
        'user-agent':
          options.userAgent ??
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
        ...options.headers,
      },
    }),
  );
}

let counter = 0;
/** A code no other test uses. */
export function uniqueCode(prefix = 'code'): string {
  counter += 1;
  return `${prefix}-${counter}-${crypto.randomUUID().slice(0, 6)}`;
}
