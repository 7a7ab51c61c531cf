// Helpers of the broker's test suites (not exported by the package).
export { freePort } from '@shop/shared/testing';

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEventReceiver,
  createKeyValueDeduper,
  createMemoryKeyValue,
  defineCatalog,
  defineEvent,
  type KafkaClient,
  Lifecycle,
  serve,
  silentLogger,
} from '@shop/shared';
import { testKafka as sharedTestKafka } from '@shop/shared/testing';
import { z } from 'zod';
import { ManifestError, type ManifestSource, parseManifests } from './manifests.js';

/** One request a test subscriber received. */
export interface Received {
  /** Path and query of the request. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** performance.now() when it arrived. */
  at: number;
}

export interface SubscriberAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
}

export interface TestSubscriber {
  url: string;
  port: number;
  received: Received[];
  /** Requests whose `ce-id` header is `id`. */
  deliveriesOf(id: string): Received[];
  close(): Promise<void>;
}

/**
 * An HTTP server standing for a Trigger subscriber; `answer` decides each response (default
 * 202 with no body).
 */
export async function startSubscriber(
  answer: (request: Received) => SubscriberAnswer | Promise<SubscriberAnswer> = () => ({}),
  port = 0,
): Promise<TestSubscriber> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const request = {
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: performance.now(),
      };
      received.push(request);
      const reply = await answer(request);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (res.destroyed) return;
      res.writeHead(reply.status ?? 202, reply.headers ?? {});
      res.end(reply.body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    received,
    deliveriesOf: (id) => received.filter((r) => r.headers['ce-id'] === id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A temporary folder with the given manifests (objects, written as YAML-compatible JSON). */
export function manifestsDir(...resources: object[]): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'broker-manifests-'));
  resources.forEach((resource, i) => {
    writeFileSync(
      join(dir, `${String(i).padStart(2, '0')}.yaml`),
      JSON.stringify(resource, null, 2),
    );
  });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The Kafka of this run: the real one of KAFKA_BROKERS in integration runs, else memory. */
export function testKafka(): KafkaClient {
  return sharedTestKafka('broker-test');
}

/** A name no other suite (or earlier run on the same Kafka) uses: `t<8 hex>`. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}${randomUUID().replaceAll('-', '').slice(0, 8)}`;
}

export const CONFIG_MAP_NAME = 'kafka-broker-config';

/** The ConfigMap and Broker manifests of a test broker. */
export function brokerResources(
  namespace: string,
  name: string,
  options: { partitions?: number; delivery?: object } = {},
): object[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: CONFIG_MAP_NAME, namespace },
      data: {
        'default.topic.partitions': String(options.partitions ?? 3),
        'default.topic.replication.factor': '1',
        'bootstrap.servers': 'localhost:9092',
      },
    },
    {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Broker',
      metadata: {
        name,
        namespace,
        annotations: { 'eventing.knative.dev/broker.class': 'Kafka' },
      },
      spec: {
        config: { apiVersion: 'v1', kind: 'ConfigMap', name: CONFIG_MAP_NAME, namespace },
        ...(options.delivery ? { delivery: options.delivery } : {}),
      },
    },
  ];
}

/** A Trigger manifest delivering to a URI. */
export function triggerResource(
  namespace: string,
  broker: string,
  name: string,
  subscriberUri: string,
  spec: { filter?: object; filters?: object[]; delivery?: object; ordered?: boolean } = {},
): object {
  return {
    apiVersion: 'eventing.knative.dev/v1',
    kind: 'Trigger',
    metadata: {
      name,
      namespace,
      ...(spec.ordered
        ? { annotations: { 'kafka.eventing.knative.dev/delivery.order': 'ordered' } }
        : {}),
    },
    spec: {
      broker,
      subscriber: { uri: subscriberUri },
      ...(spec.filter ? { filter: spec.filter } : {}),
      ...(spec.filters ? { filters: spec.filters } : {}),
      ...(spec.delivery ? { delivery: spec.delivery } : {}),
    },
  };
}

/** Waits until `condition` holds, polling every 20 ms. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** POSTs a binary-mode event to an ingress URL; returns the status. */
export async function postEvent(
  url: string,
  attributes: Record<string, string>,
  data?: unknown,
  timeoutMs = 30_000,
): Promise<number> {
  const headers: Record<string, string> = { 'ce-specversion': '1.0' };
  for (const [name, value] of Object.entries(attributes)) headers[`ce-${name}`] = value;
  if (data !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: 'POST',
    headers,
    signal: AbortSignal.timeout(timeoutMs),
    ...(data !== undefined ? { body: JSON.stringify(data) } : {}),
  });
  await response.arrayBuffer();
  return response.status;
}

/** The event type of {@link startCountingReceiver}. */
export const COUNTED_TYPE = 'shop.test.counted';

export interface CountingReceiver extends TestSubscriber {
  /** Deliveries per event id (at least once). */
  deliveries: Map<string, number>;
  /** Handler runs per event id behind the receiving middleware (exactly once). */
  handled: Map<string, number>;
}

/**
 * A subscriber built on the shared receiving middleware (`createEventReceiver`, dedupe on
 * source + id), behind a proxy that counts raw deliveries. Handlers take 5–20 ms.
 */
export async function startCountingReceiver(): Promise<CountingReceiver> {
  const catalog = defineCatalog(
    defineEvent({
      type: COUNTED_TYPE,
      description: 'A numbered test event.',
      producer: 'test',
      consumers: ['test'],
      partitionKey: 'key',
      schema: z.object({ key: z.string(), n: z.number().int() }).strict(),
    }),
  );
  const handled = new Map<string, number>();
  const receiver = createEventReceiver({
    catalog,
    source: '/test/receiver',
    dedupe: createKeyValueDeduper(createMemoryKeyValue()),
    log: silentLogger(),
    handlers: {
      [COUNTED_TYPE]: async (event) => {
        await new Promise((r) => setTimeout(r, 5 + (event.data.n % 15)));
        handled.set(event.id, (handled.get(event.id) ?? 0) + 1);
      },
    },
  });
  const server = await serve(receiver, {
    port: 0,
    hostname: '127.0.0.1',
    log: silentLogger(),
    lifecycle: new Lifecycle(),
    handleSignals: false,
  });
  const deliveries = new Map<string, number>();
  const proxy = await startSubscriber(async (request) => {
    const id = String(request.headers['ce-id']);
    deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && (name.startsWith('ce-') || name === 'content-type')) {
        headers[name] = value;
      }
    }
    const response = await fetch(`http://127.0.0.1:${server.port}/`, {
      method: 'POST',
      headers,
      body: request.body,
    });
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  });
  return {
    ...proxy,
    deliveries,
    handled,
    async close() {
      await proxy.close();
      await server.shutdown();
    },
  };
}

/** Publishes one counted event (`id` c<n>, key k<n mod 7>); resolves with the status, 0 on error. */
export function publishCounted(ingress: string, n: number, timeoutMs = 30_000): Promise<number> {
  return postEvent(
    ingress,
    { id: `c${n}`, source: '/shop/test', type: COUNTED_TYPE, partitionkey: `k${n % 7}` },
    { key: `k${n % 7}`, n },
    timeoutMs,
  ).catch(() => 0);
}

/** A KafkaSource manifest reading `topics` and delivering to `sink` (a URI or a Destination). */
export function kafkaSourceResource(
  namespace: string,
  name: string,
  topics: string[],
  sink: string | object,
  spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
): object {
  return {
    apiVersion: 'sources.knative.dev/v1beta1',
    kind: 'KafkaSource',
    metadata: { name, namespace, ...metadata },
    spec: {
      bootstrapServers: ['localhost:9092'],
      topics,
      sink: typeof sink === 'string' ? { uri: sink } : sink,
      ...spec,
    },
  };
}

/** Runs the cleanups (the last registered first), deletes the topics, closes the client. */
export async function releaseTestKafka(
  kafka: KafkaClient,
  cleanups: (() => Promise<void> | void)[],
  topics: readonly string[],
): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup();
  for (const topic of topics)
    await kafka
      .admin()
      .deleteTopic(topic)
      .catch(() => {});
  await kafka.close();
}

/** Resources as the manifest sources of files `r0.yaml`, `r1.yaml`, … */
export function manifestSources(...resources: object[]): ManifestSource[] {
  return resources.map((r, i) => ({ file: `r${i}.yaml`, text: JSON.stringify(r) }));
}

/** The problems parseManifests finds in the resources, one a line ('' when none). */
export function manifestProblems(...resources: object[]): string {
  try {
    parseManifests(manifestSources(...resources));
  } catch (error) {
    if (error instanceof ManifestError) return error.problems.join('\n');
    throw error;
  }
  return '';
}
