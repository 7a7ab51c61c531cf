// Benchmark of analytics-ingest: events per second through POST /v1/batch (the function as
// deployed: write key, validation, dedupe in the key-value store, the idempotent gzip producer
// with linger, 200 only after Kafka acknowledged) against a kafkajs producer sending the same
// records straight to Kafka, in one run; the ratio is the result. Every acknowledged event is
// counted on the topic afterwards: zero lost (and none twice) or the bench fails.
// Goal (issue 12 point 11): ≥ 0.5× the direct producer's events/s — reported, never a failing exit.
// Kafka from KAFKA_BROKERS (else the in-memory log, which proves the bench runs and measures
// little); Redis from REDIS_URL (else in memory); sources on the embedded database.
//   npm run bench -- ingest [--smoke] [--duration 10] [--connections 8] [--warmup 2]
// Writes bench/results/ingest-<time>.json and .md.
import { analyticsIngest, stableEventId } from '@shop/analytics-ingest';
import {
  cloudEventRecord,
  createKafkajsClient,
  type KafkaClient,
  type ProducerRecord,
  sharedMemoryKafka,
  silentLogger,
} from '@shop/shared';
import { parseFlags, phaseOptions } from './cli.js';
import { runBench, writeResults } from './harness.js';

const BATCH = 100;
const GOAL_RATIO = 0.5;
const flags = parseFlags(process.argv.slice(2));
if (flags.positional.length > 0)
  throw new Error(`unexpected arguments: ${flags.positional.join(' ')}`);
const options = phaseOptions(flags, { durationSeconds: 10, warmupSeconds: 2, connections: 8 });
const brokers = process.env.KAFKA_BROKERS;
const run = crypto.randomUUID().slice(0, 8);
const topics = {
  main: `bench-ingest-${run}`,
  overflow: `bench-ingest-overflow-${run}`,
  historical: `bench-ingest-historical-${run}`,
  direct: `bench-ingest-direct-${run}`,
};
const writeKey = `wk_bench_${crypto.randomUUID().replaceAll('-', '')}`;
const failures: string[] = [];
const kafka: KafkaClient = brokers
  ? createKafkajsClient({ brokers, clientId: 'bench-ingest' })
  : sharedMemoryKafka();
let running: Awaited<ReturnType<typeof analyticsIngest.start>> | undefined;

let sequence = 0;
/** A batch of track calls, each with a messageId no other call has. */
function batchOf(size: number) {
  return Array.from({ length: size }, () => {
    const n = sequence++;
    return {
      type: 'track',
      event: 'Product Viewed',
      anonymousId: `visitor-${n % 5_000}`,
      messageId: `bench-${run}-${n}`,
      timestamp: new Date().toISOString(),
      properties: { sku: `SKU-${n % 300}`, price: 1999, currency: 'EUR' },
      context: { page: { url: `https://shop.example/p/${n % 300}`, path: `/p/${n % 300}` } },
    };
  });
}

/** The records the ingest writes for a batch (same data shape, same headers), for the baseline. */
function recordsOf(calls: ReturnType<typeof batchOf>, sourceId: string): ProducerRecord[] {
  const receivedAt = new Date().toISOString();
  return calls.map((call) => {
    const visitorKey = `${sourceId}:${call.anonymousId}`;
    return cloudEventRecord({
      id: stableEventId(sourceId, call.messageId),
      type: 'shop.analytics.track',
      source: '/shop/analytics-ingest',
      time: call.timestamp,
      partitionKey: visitorKey,
      data: {
        messageId: call.messageId,
        sourceId,
        visitorKey,
        anonymousId: call.anonymousId,
        userId: null,
        context: call.context,
        clickId: null,
        campaign: null,
        timestamp: call.timestamp,
        originalTimestamp: call.timestamp,
        sentAt: null,
        receivedAt,
        event: call.event,
        properties: call.properties,
      },
    });
  });
}

/** Runs `connections` loops of `step` for `seconds`; returns events acknowledged per second. */
async function phase(seconds: number, step: () => Promise<number>) {
  const until = Date.now() + seconds * 1_000;
  let events = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (Date.now() < until) {
        const acknowledged = await step();
        events += acknowledged;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1_000;
  return { events, eventsPerSecond: events / elapsed };
}

async function onTopic(topic: string): Promise<number> {
  const offsets = await kafka.admin().topicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
}

async function main(): Promise<void> {
  const admin = kafka.admin();
  const replicationFactor = Math.min(3, await admin.brokerCount());
  for (const topic of Object.values(topics)) {
    await admin.createTopic({ topic, partitions: 6, replicationFactor });
  }
  running = await analyticsIngest.start({
    env: {
      ...(brokers && { KAFKA_BROKERS: brokers }),
      ...(process.env.REDIS_URL && { REDIS_URL: process.env.REDIS_URL }),
      ANALYTICS_TOPIC: topics.main,
      ANALYTICS_OVERFLOW_TOPIC: topics.overflow,
      ANALYTICS_HISTORICAL_TOPIC: topics.historical,
      ANALYTICS_DEMO_WRITE_KEY: writeKey,
      ANALYTICS_VISITOR_RATE: '1000000',
      ANALYTICS_VISITOR_BURST: '1000000',
      LOG_LEVEL: 'warn',
    },
    port: 0,
    log: silentLogger(),
    handleSignals: false,
  });
  const sourceId = (
    await running.db.query<{ id: string }>(
      'SELECT id FROM analytics_ingest.source WHERE revoked_at IS NULL LIMIT 1',
    )
  ).rows[0]?.id;
  if (!sourceId) throw new Error('the demo source was not seeded');
  const url = `${running.url}/v1/batch`;
  const authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  let ingestErrors = 0;
  const throughIngest = async () => {
    const calls = batchOf(BATCH);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ batch: calls, sentAt: new Date().toISOString() }),
    });
    const answer = (await res.json()) as { accepted?: number };
    if (res.status !== 200 || answer.accepted !== BATCH) {
      ingestErrors++;
      return 0;
    }
    return BATCH;
  };
  const producer = kafka.producer({ idempotent: true, compression: 'gzip' });
  const direct = async () => {
    await producer.send(topics.direct, recordsOf(batchOf(BATCH), sourceId), { acks: -1 });
    return BATCH;
  };

  await phase(options.warmupSeconds, throughIngest);
  await phase(options.warmupSeconds, direct);
  const before = { ingest: await onTopic(topics.main), direct: await onTopic(topics.direct) };
  const baseline = await phase(options.durationSeconds, direct);
  const ingest = await phase(options.durationSeconds, throughIngest);
  await producer.close();
  const after = { ingest: await onTopic(topics.main), direct: await onTopic(topics.direct) };
  const counted = { ingest: after.ingest - before.ingest, direct: after.direct - before.direct };
  if (ingestErrors > 0)
    failures.push(`${ingestErrors} ingest requests were not answered 200 with every call accepted`);
  if (counted.ingest !== ingest.events) {
    failures.push(`ingest: ${ingest.events} events acknowledged, ${counted.ingest} on the topic`);
  }
  if (counted.direct !== baseline.events) {
    failures.push(`direct: ${baseline.events} events acknowledged, ${counted.direct} on the topic`);
  }
  const ratio = ingest.eventsPerSecond / baseline.eventsPerSecond;
  const markdown = [
    `# ingest bench (${new Date().toISOString()})`,
    '',
    `Kafka: ${brokers ? `kafkajs on ${brokers}` : 'in-memory log'}; batches of ${BATCH}; ${options.connections} concurrent senders; ${options.durationSeconds} s per phase; client and ingest in one process.`,
    '',
    '| run | events/s | events acknowledged | on the topic | ÷ baseline |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| kafkajs direct (baseline) | ${baseline.eventsPerSecond.toFixed(0)} | ${baseline.events} | ${counted.direct} | 1.000× |`,
    `| POST /v1/batch → Kafka | ${ingest.eventsPerSecond.toFixed(0)} | ${ingest.events} | ${counted.ingest} | ${ratio.toFixed(3)}× |`,
    '',
    `Goal ≥ ${GOAL_RATIO}× with zero lost: ${ratio >= GOAL_RATIO ? 'met' : 'missed'}; lost ${ingest.events - counted.ingest}.`,
  ].join('\n');
  console.log(markdown);
  writeResults('ingest', new Date(), { baseline, ingest, counted, ratio, options }, markdown);
}

await runBench(
  'ingest',
  main,
  async () => {
    await running?.shutdown('bench done');
    if (brokers) {
      for (const topic of Object.values(topics))
        await kafka
          .admin()
          .deleteTopic(topic)
          .catch(() => {});
    }
    await kafka.close();
  },
  failures,
);
