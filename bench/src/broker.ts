// Benchmark of the local Knative Kafka broker against kafkajs alone, in one run, on loopback:
//   events/s end to end (POST to the ingress → Kafka → POST to a subscriber) at full load, and
//   p50/p99 end-to-end latency at a fixed rate; then the same events produced and consumed
//   directly with kafkajs (the shared kit's client), the floor any broker adds its hops to.
// Needs Kafka (`npm run infra -- up`; KAFKA_BROKERS, default 127.0.0.1:9092). About 50 s.
//   npm run bench -- broker [--smoke] [--duration 6] [--connections 32]
//   node --conditions=source --import tsx bench/src/broker.ts [same flags]
// Knobs: --duration / BENCH_SECONDS (per phase, default 6; --smoke: 2), BENCH_RATE (fixed rate,
// default 300 events/s), --connections / BENCH_CONNECTIONS (default 32). The warm-up is a fixed
// 300 events per path (--warmup does not apply).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafkajsClient, type KafkaClient } from '@shop/shared';
import { freePort } from '@shop/shared/testing';
import autocannon from 'autocannon';
import { parseFlags } from './cli.js';

const FLAGS = parseFlags(process.argv.slice(2));
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const SECONDS = FLAGS.durationSeconds ?? (FLAGS.smoke ? 2 : Number(process.env.BENCH_SECONDS ?? 6));
const RATE = Number(process.env.BENCH_RATE ?? 300);
const CONNECTIONS = FLAGS.connections ?? Number(process.env.BENCH_CONNECTIONS ?? 32);
const PARTITIONS = 10;
const DRAIN_MS = 15_000;
// 60 s at the default 6 s phases; longer phases get the time they need (4 phases plus drains).
const BUDGET_MS = Math.max(60_000, (30 + 5 * SECONDS) * 1000);
const DATA = JSON.stringify({ productId: 'p-42', price: { amount: 1999, currency: 'EUR' } });

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Deliveries per phase: arrival time and end-to-end latency (sent-at header to arrival). */
class Arrivals {
  readonly latencies = new Map<string, number[]>();
  readonly last = new Map<string, number>();
  record(phase: string, sentAt: number) {
    const at = now();
    let list = this.latencies.get(phase);
    if (!list) {
      list = [];
      this.latencies.set(phase, list);
    }
    list.push(at - sentAt);
    this.last.set(phase, at);
  }
  count(phase: string) {
    return this.latencies.get(phase)?.length ?? 0;
  }
  async drain(phase: string, expected: number) {
    const deadline = Date.now() + DRAIN_MS;
    while (this.count(phase) < expected && Date.now() < deadline) await sleep(20);
  }
}

async function startSubscriber(arrivals: Arrivals): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const phase = req.headers['ce-phase'];
      const sentAt = Number(req.headers['ce-sentat']);
      if (typeof phase === 'string' && Number.isFinite(sentAt)) arrivals.record(phase, sentAt);
      res.writeHead(202).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** The broker in a child process (its own CPU share), from eventing/src/broker/main.ts. */
async function startBrokerProcess(
  manifestsDir: string,
  port: number,
): Promise<{ child: ChildProcess; url: string }> {
  const main = fileURLToPath(new URL('../../eventing/src/broker/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main], {
    env: {
      ...process.env,
      PORT: String(port),
      KAFKA_BROKERS,
      BROKER_MANIFESTS_DIR: manifestsDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the broker exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { child, url };
    if (Date.now() > deadline) throw new Error('the broker was not ready in 30 s');
    await sleep(100);
  }
}

interface Row {
  path: string;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  ingressP99?: number;
  /** Events the ingress acknowledged (202) or kafkajs acknowledged (acks=-1). */
  accepted: number;
  /** Events that reached the subscriber (or consumer); may exceed `accepted` by requests the load tool stopped counting. */
  delivered: number;
}

/**
 * Calls `send` RATE times a second for SECONDS, smoothly: a 10 ms tick sends whatever is due
 * (autocannon's overallRate fires each second's requests in a burst, which measures queueing
 * rather than latency). Resolves with how many `send` calls resolved true.
 */
async function atFixedRate(send: () => Promise<boolean>): Promise<number> {
  let sent = 0;
  let accepted = 0;
  const pending: Promise<void>[] = [];
  const start = Date.now();
  while (Date.now() - start < SECONDS * 1000) {
    const due = Math.floor(((Date.now() - start) / 1000) * RATE) - sent;
    for (let i = 0; i < due; i++, sent++) {
      pending.push(
        send().then(
          (ok) => {
            if (ok) accepted++;
          },
          () => {},
        ),
      );
    }
    await sleep(10);
  }
  await Promise.all(pending);
  return accepted;
}

/** Sends `count` events, 8 at a time, so JIT and connections are warm before measuring. */
async function warmUp(send: () => Promise<boolean>, count = 300): Promise<number> {
  let accepted = 0;
  let left = count;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (left-- > 0) if (await send()) accepted++;
    }),
  );
  return accepted;
}

const ceHeaders = (prefix: string, phase: string, n: number): Record<string, string> => ({
  [`${prefix}specversion`]: '1.0',
  [`${prefix}id`]: `${phase}-${n}`,
  [`${prefix}source`]: '/bench',
  [`${prefix}type`]: 'shop.offer.price_changed',
  [`${prefix}partitionkey`]: `p-${n % 100}`,
  [`${prefix}phase`]: phase,
  [`${prefix}sentat`]: String(now()),
  'content-type': 'application/json',
});

/** The broker path: a fixed rate (latency at the subscriber), then full load with autocannon. */
async function benchBroker(ingress: string, arrivals: Arrivals): Promise<Row> {
  let seq = 0;
  const ingressLatencies: number[] = [];
  const post = (phase: string) => async () => {
    const headers = ceHeaders('ce-', phase, seq++);
    const sentAt = now();
    const response = await fetch(ingress, { method: 'POST', headers, body: DATA });
    await response.arrayBuffer();
    if (phase === 'broker-rate') ingressLatencies.push(now() - sentAt);
    return response.status === 202;
  };
  await arrivals.drain('broker-warmup', await warmUp(post('broker-warmup')));
  const acceptedRate = await atFixedRate(post('broker-rate'));
  await arrivals.drain('broker-rate', acceptedRate);
  const latencies = arrivals.latencies.get('broker-rate') ?? [];

  const started = now();
  const max = await autocannon({
    url: ingress,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        body: DATA,
        setupRequest: (request) => ({ ...request, headers: ceHeaders('ce-', 'broker-max', seq++) }),
      },
    ],
  });
  await arrivals.drain('broker-max', max['2xx']);
  const delivered = arrivals.count('broker-max');
  return {
    path: 'broker: HTTP → ingress → Kafka → dispatcher → HTTP',
    eventsPerSecond: delivered / (((arrivals.last.get('broker-max') ?? now()) - started) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ingressP99: percentile(ingressLatencies, 99),
    accepted: acceptedRate + max['2xx'],
    delivered: latencies.length + delivered,
  };
}

/** The same records produced (acks=-1, one per send) and consumed with kafkajs directly. */
async function benchKafkajs(kafka: KafkaClient, topic: string): Promise<Row> {
  const arrivals = new Arrivals();
  const group = kafka.consumerGroup({ groupId: `bench-${randomUUID()}`, topic, startAt: 'latest' });
  await group.run({
    async onBatch(batch) {
      for (const record of batch.records) {
        arrivals.record(
          record.headers.ce_phase?.toString() ?? '',
          Number(record.headers.ce_sentat?.toString()),
        );
      }
      const last = batch.records.at(-1);
      if (last) {
        await group.commit([
          { partition: batch.partition, offset: String(BigInt(last.offset) + 1n) },
        ]);
      }
    },
  });
  const producer = kafka.producer();
  let seq = 0;
  const send = (phase: string) => async () => {
    const n = seq++;
    await producer.send(
      topic,
      [{ key: `p-${n % 100}`, value: DATA, headers: ceHeaders('ce_', phase, n) }],
      {
        acks: -1,
      },
    );
    return true;
  };
  await arrivals.drain('direct-warmup', await warmUp(send('direct-warmup')));
  const acceptedRate = await atFixedRate(send('direct-rate'));
  await arrivals.drain('direct-rate', acceptedRate);
  const latencies = arrivals.latencies.get('direct-rate') ?? [];

  const started = now();
  const stopAt = Date.now() + SECONDS * 1000;
  let acceptedMax = 0;
  const sendMax = send('direct-max');
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < stopAt) if (await sendMax()) acceptedMax++;
    }),
  );
  await arrivals.drain('direct-max', acceptedMax);
  const delivered = arrivals.count('direct-max');
  await group.stop();
  await producer.close();
  return {
    path: 'kafkajs: produce (acks=-1) → consume',
    eventsPerSecond: delivered / (((arrivals.last.get('direct-max') ?? now()) - started) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    accepted: acceptedRate + acceptedMax,
    delivered: latencies.length + delivered,
  };
}

function printTable(rows: Row[]) {
  const fmt = (n: number | undefined, digits = 1) =>
    n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits);
  const [broker, direct] = rows as [Row, Row];
  const lines = [
    [
      'path',
      'events/s (max)',
      `p50 ms @${RATE}/s`,
      `p99 ms @${RATE}/s`,
      'ingress p99 ms',
      'accepted',
      'delivered',
    ],
    ...rows.map((r) => [
      r.path,
      fmt(r.eventsPerSecond, 0),
      fmt(r.p50),
      fmt(r.p99),
      fmt(r.ingressP99),
      String(r.accepted),
      String(r.delivered),
    ]),
    [
      'ratio broker / kafkajs',
      `${fmt(broker.eventsPerSecond / direct.eventsPerSecond, 2)}×`,
      `${fmt(broker.p50 / direct.p50, 2)}×`,
      `${fmt(broker.p99 / direct.p99, 2)}×`,
      '',
      '',
      '',
    ],
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  for (const line of lines) {
    console.log(
      line
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  '),
    );
  }
}

async function main() {
  const budget = setTimeout(() => {
    console.error(`benchmark exceeded ${BUDGET_MS / 1000} s; stopping`);
    process.exit(1);
  }, BUDGET_MS);
  budget.unref();
  const kafka = createKafkajsClient({ brokers: KAFKA_BROKERS, clientId: 'bench' });
  try {
    await kafka.ping();
  } catch {
    throw new Error(`no Kafka on ${KAFKA_BROKERS}: start it with \`npm run infra -- up\``);
  }
  const run = randomUUID().slice(0, 8);
  const arrivals = new Arrivals();
  const subscriber = await startSubscriber(arrivals);
  const dir = mkdtempSync(join(tmpdir(), 'bench-broker-'));
  const brokerName = `bench-${run}`;
  const namespace = 'bench';
  const resources = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kafka-broker-config', namespace },
      data: {
        'default.topic.partitions': String(PARTITIONS),
        'default.topic.replication.factor': '1',
        'bootstrap.servers': KAFKA_BROKERS,
      },
    },
    {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Broker',
      metadata: {
        name: brokerName,
        namespace,
        annotations: { 'eventing.knative.dev/broker.class': 'Kafka' },
      },
      spec: {
        config: { apiVersion: 'v1', kind: 'ConfigMap', name: 'kafka-broker-config', namespace },
      },
    },
    {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: { name: 'bench', namespace },
      spec: { broker: brokerName, subscriber: { uri: subscriber.url } },
    },
  ];
  resources.forEach((r, i) => {
    writeFileSync(join(dir, `${i}.yaml`), JSON.stringify(r));
  });
  const directTopic = `bench-direct-${run}`;
  let broker: ChildProcess | undefined;
  try {
    const started = await startBrokerProcess(dir, await freePort());
    broker = started.child;
    console.log(
      `broker: ${started.url} on Kafka ${KAFKA_BROKERS}, ${PARTITIONS} partitions, ${SECONDS} s per phase`,
    );
    const brokerRow = await benchBroker(`${started.url}/${namespace}/${brokerName}`, arrivals);
    broker.kill('SIGTERM');
    await kafka
      .admin()
      .createTopic({ topic: directTopic, partitions: PARTITIONS, replicationFactor: 1 });
    const directRow = await benchKafkajs(kafka, directTopic);
    printTable([brokerRow, directRow]);
  } finally {
    if (broker && broker.exitCode === null) broker.kill('SIGTERM');
    subscriber.server.closeAllConnections();
    subscriber.server.close();
    rmSync(dir, { recursive: true, force: true });
    await kafka
      .admin()
      .deleteTopic(`knative-broker-${namespace}-${brokerName}`)
      .catch(() => {});
    await kafka
      .admin()
      .deleteTopic(directTopic)
      .catch(() => {});
    await kafka.close();
  }
}

await main();
