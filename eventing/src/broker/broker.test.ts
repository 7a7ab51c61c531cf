import { type ConsumedRecord, partitionForKey, silentLogger } from '@shop/shared';
import { CloudEvent, emitterFor, httpTransport, Mode } from 'cloudevents';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from './broker.js';
import {
  brokerResources,
  freePort,
  manifestsDir,
  postEvent,
  publishCounted,
  type Received,
  releaseTestKafka,
  startCountingReceiver,
  startSubscriber,
  type TestSubscriber,
  testKafka,
  triggerResource,
  uniqueName,
  waitFor,
} from './test-support.js';

// Unit runs use the in-memory log; with SHOP_TEST_INFRA=real the same tests run on the Kafka
// of KAFKA_BROKERS (each broker of a test gets a topic of its own).
const kafka = testKafka();
const namespace = 'test';
const cleanups: (() => Promise<void> | void)[] = [];
const topics: string[] = [];

afterAll(() => releaseTestKafka(kafka, cleanups, topics));

interface TestBroker {
  broker: RunningBroker;
  name: string;
  ingress: string;
  topic: string;
  dir: string;
}

async function startTestBroker(
  resources: (name: string) => object[],
  options: { name?: string; maxInFlight?: number; services?: Record<string, string> } = {},
): Promise<TestBroker> {
  const name = options.name ?? uniqueName('b');
  const { dir, cleanup } = manifestsDir(...resources(name));
  const broker = await startBroker({
    manifestsDir: dir,
    kafka,
    port: 0,
    resolveService: (service) => {
      const url = options.services?.[service];
      if (!url) throw new Error(`unknown service ${service}`);
      return url;
    },
    log: silentLogger(),
    ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
  });
  const topic = `knative-broker-${namespace}-${name}`;
  if (!topics.includes(topic)) topics.push(topic);
  cleanups.push(cleanup, () => broker.stop());
  return { broker, name, ingress: broker.ingressUrl(namespace, name), topic, dir };
}

async function subscriber(...args: Parameters<typeof startSubscriber>): Promise<TestSubscriber> {
  const s = await startSubscriber(...args);
  cleanups.push(() => s.close());
  return s;
}

/** Publishes events with at most `concurrency` requests at once; events of a key in order. */
async function publishInOrder(
  url: string,
  events: { key: string; attributes: Record<string, string>; data: unknown }[],
  concurrency: number,
): Promise<void> {
  const byKey = new Map<string, typeof events>();
  for (const e of events) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  const queues = [...byKey.values()];
  let next = 0;
  const worker = async () => {
    while (next < queues.length) {
      const queue = queues[next++]!;
      for (const e of queue) {
        const status = await postEvent(url, e.attributes, e.data);
        if (status !== 202) throw new Error(`ingress answered ${status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Polls an async check every 50 ms until it holds (10 s at most). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const header = (r: Received, name: string) => r.headers[name] as string | undefined;
const gaps = (received: Received[]) => received.slice(1).map((r, i) => r.at - received[i]!.at);

describe(`local Kafka broker (${kafka.kind})`, () => {
  it('delivers what a stock cloudevents emitter publishes, binary or structured, in binary mode with Kafka metadata', async () => {
    const sub = await subscriber();
    const b = await startTestBroker((name) => [
      ...brokerResources(namespace, name, { partitions: 3 }),
      triggerResource(namespace, name, 'all', sub.url),
    ]);
    const binary = emitterFor(httpTransport(b.ingress));
    const structured = emitterFor(httpTransport(b.ingress), { mode: Mode.STRUCTURED });
    const event = (id: string) =>
      new CloudEvent({
        id,
        source: '/shop/offer',
        type: 'shop.offer.price_changed',
        subject: 'offer-42',
        partitionkey: 'order-42',
        datacontenttype: 'application/json',
        data: { price: 1999 },
      });
    await binary(event('bin-1'));
    await structured(event('struct-1'));
    await waitFor(() => sub.received.length === 2, 20_000, 'two deliveries');

    for (const id of ['bin-1', 'struct-1']) {
      const [delivery] = sub.deliveriesOf(id);
      expect(delivery, id).toBeDefined();
      expect(delivery!.headers).toMatchObject({
        'ce-specversion': '1.0',
        'ce-source': '/shop/offer',
        'ce-type': 'shop.offer.price_changed',
        'ce-subject': 'offer-42',
        'ce-partitionkey': 'order-42',
        'ce-knativekafkapartition': String(partitionForKey('order-42', 3)),
        'content-type': 'application/json',
        prefer: 'reply',
        'kn-namespace': namespace,
      });
      expect(header(delivery!, 'ce-knativekafkaoffset')).toMatch(/^\d+$/);
      expect(delivery!.headers).not.toHaveProperty('ce-knativearrivaltime');
      expect(JSON.parse(delivery!.body.toString())).toEqual({ price: 1999 });
    }

    // On the topic: binary content mode, keyed by partitionkey.
    const records: ConsumedRecord[] = [];
    const group = kafka.consumerGroup({
      groupId: uniqueName('inspect'),
      topic: b.topic,
      startAt: 'earliest',
    });
    cleanups.push(() => group.stop());
    await group.run({
      async onBatch(batch) {
        records.push(...batch.records);
      },
    });
    await waitFor(() => records.length === 2, 20_000, 'two records');
    for (const record of records) {
      expect(record.key?.toString()).toBe('order-42');
      expect(record.partition).toBe(partitionForKey('order-42', 3));
      expect(record.headers.ce_specversion?.toString()).toBe('1.0');
      expect(record.headers.ce_type?.toString()).toBe('shop.offer.price_changed');
      expect(record.headers['content-type']?.toString()).toBe('application/json');
      expect(JSON.parse(record.value!.toString())).toEqual({ price: 1999 });
    }
    expect(records.map((r) => r.headers.ce_id?.toString()).sort()).toEqual(['bin-1', 'struct-1']);
  });

  it('routes by filters and filter attributes, and re-ingests replies as new events', async () => {
    const exact = await subscriber();
    const legacy = await subscriber();
    const replies = await subscriber();
    const replier = await subscriber((request) =>
      header(request, 'ce-type') === 'shop.test.ask'
        ? {
            status: 200,
            headers: {
              'ce-specversion': '1.0',
              'ce-id': `answer-to-${header(request, 'ce-id')}`,
              'ce-source': '/replier',
              'ce-type': 'shop.test.answered',
              'content-type': 'application/json',
            },
            body: '{"ok":true}',
          }
        : {},
    );
    const b = await startTestBroker((name) => [
      ...brokerResources(namespace, name),
      triggerResource(namespace, name, 'exact', exact.url, {
        filters: [{ any: [{ exact: { type: 'shop.test.a' } }, { suffix: { type: '.c' } }] }],
      }),
      triggerResource(namespace, name, 'legacy', legacy.url, {
        filter: { attributes: { type: 'shop.test.b', source: '' } },
      }),
      triggerResource(namespace, name, 'ask', replier.url, {
        filters: [{ prefix: { type: 'shop.test.ask' } }],
      }),
      triggerResource(namespace, name, 'answers', replies.url, {
        filters: [{ exact: { type: 'shop.test.answered' } }],
      }),
    ]);
    for (const [id, type] of [
      ['a1', 'shop.test.a'],
      ['b1', 'shop.test.b'],
      ['c1', 'shop.test.c'],
      ['q1', 'shop.test.ask'],
    ] as const) {
      expect(await postEvent(b.ingress, { id, source: '/t', type }, { id })).toBe(202);
    }
    await waitFor(
      () =>
        exact.received.length === 2 &&
        legacy.received.length === 1 &&
        replies.received.length === 1,
      20_000,
      'routed deliveries',
    );
    expect(exact.received.map((r) => header(r, 'ce-id')).sort()).toEqual(['a1', 'c1']);
    expect(legacy.received.map((r) => header(r, 'ce-id'))).toEqual(['b1']);
    expect(replies.received[0]!.headers).toMatchObject({
      'ce-id': 'answer-to-q1',
      'ce-source': '/replier',
    });
    expect(JSON.parse(replies.received[0]!.body.toString())).toEqual({ ok: true });
  });

  it('resolves a Service ref with a relative uri, and dead-letters to another Broker by ref', async () => {
    const service = await subscriber((request) =>
      request.path === '/events' ? {} : { status: 404 },
    );
    const refused = await subscriber(() => ({ status: 422, body: 'no' }));
    const deadLetters = await subscriber();
    const deadLetterBroker = uniqueName('dl');
    const b = await startTestBroker(
      (name) => [
        ...brokerResources(namespace, name, {
          delivery: {
            deadLetterSink: {
              ref: {
                apiVersion: 'eventing.knative.dev/v1',
                kind: 'Broker',
                name: deadLetterBroker,
              },
            },
          },
        }),
        {
          apiVersion: 'eventing.knative.dev/v1',
          kind: 'Broker',
          metadata: {
            name: deadLetterBroker,
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
          metadata: { name: 'to-service', namespace },
          spec: {
            broker: name,
            filters: [{ exact: { type: 'to.service' } }],
            subscriber: {
              ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'audit' },
              uri: '/events',
            },
          },
        },
        triggerResource(namespace, name, 'refusing', refused.url, {
          filters: [{ exact: { type: 'to.refusing' } }],
        }),
        triggerResource(namespace, deadLetterBroker, 'dead-letters', deadLetters.url),
      ],
      { services: { audit: `${service.url}/ignored-path` } },
    );
    topics.push(`knative-broker-${namespace}-${deadLetterBroker}`);
    expect(await postEvent(b.ingress, { id: 'svc1', source: '/t', type: 'to.service' })).toBe(202);
    expect(await postEvent(b.ingress, { id: 'dl1', source: '/t', type: 'to.refusing' })).toBe(202);
    await waitFor(
      () => service.received.length === 1 && deadLetters.received.length === 1,
      20_000,
      'delivery and dead letter',
    );
    expect(service.received[0]!.path).toBe('/events');
    expect(deadLetters.received[0]!.headers).toMatchObject({
      'ce-id': 'dl1',
      'ce-knativeerrorcode': '422',
      'ce-knativeerrordest': `${refused.url}/`,
    });
  });

  it('retries on the backoff schedule, stops at the limit, then dead-letters with the error extensions', async () => {
    const dls = await subscriber();
    const failing = await subscriber(() => ({
      status: 503,
      headers: { 'kne-reason': 'overloaded', 'content-type': 'text/plain' },
      body: 'busy',
    }));
    const refusing = await subscriber(() => ({ status: 400, body: 'bad' }));
    const odd = await subscriber(() => ({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: 'ok',
    }));
    const b = await startTestBroker((name) => [
      // The Broker's dead-letter sink applies to the Triggers that set only retry and backoff.
      ...brokerResources(namespace, name, {
        delivery: { deadLetterSink: { uri: dls.url }, retry: 9 },
      }),
      triggerResource(namespace, name, 'exponential', `${failing.url}/exp`, {
        filters: [{ exact: { type: 'retry.exponential' } }],
        delivery: { retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.05S' },
      }),
      triggerResource(namespace, name, 'linear', `${failing.url}/lin`, {
        filters: [{ exact: { type: 'retry.linear' } }],
        delivery: { retry: 3, backoffPolicy: 'linear', backoffDelay: 'PT0.05S' },
      }),
      triggerResource(namespace, name, 'refused', refusing.url, {
        filters: [{ exact: { type: 'retry.refused' } }],
        delivery: { retry: 3, backoffDelay: 'PT0.05S' },
      }),
      triggerResource(namespace, name, 'not-an-event', odd.url, {
        filters: [{ exact: { type: 'retry.odd' } }],
        delivery: { retry: 3, backoffDelay: 'PT0.05S' },
      }),
    ]);
    const attributes = (id: string, type: string) => ({
      id,
      source: '/t',
      type,
      subject: 's',
      partitionkey: id,
    });
    expect(await postEvent(b.ingress, attributes('e-exp', 'retry.exponential'), { n: 1 })).toBe(
      202,
    );
    expect(await postEvent(b.ingress, attributes('e-lin', 'retry.linear'), { n: 2 })).toBe(202);
    expect(await postEvent(b.ingress, attributes('e-400', 'retry.refused'), { n: 3 })).toBe(202);
    expect(await postEvent(b.ingress, attributes('e-odd', 'retry.odd'), { n: 4 })).toBe(202);
    await waitFor(() => dls.received.length === 4, 20_000, 'four dead letters');
    await new Promise((r) => setTimeout(r, 300));

    // 1 attempt + 3 retries, 50·2ⁿ ms apart (100, 200, 400) or 50·n ms (50, 100, 150).
    const tolerance = (measured: number[], expected: number[]) => {
      expect(measured).toHaveLength(expected.length);
      measured.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(expected[i]! - 5);
        expect(gap).toBeLessThan(expected[i]! + 250);
      });
    };
    tolerance(gaps(failing.deliveriesOf('e-exp')), [100, 200, 400]);
    tolerance(gaps(failing.deliveriesOf('e-lin')), [50, 100, 150]);
    expect(refusing.deliveriesOf('e-400')).toHaveLength(1);
    expect(odd.deliveriesOf('e-odd')).toHaveLength(1);

    const dead = (id: string) => dls.deliveriesOf(id)[0]!;
    expect(dead('e-exp').headers).toMatchObject({
      'ce-id': 'e-exp',
      'ce-source': '/t',
      'ce-type': 'retry.exponential',
      'ce-subject': 's',
      'ce-partitionkey': 'e-exp',
      'content-type': 'application/json',
      'ce-knativeerrordest': `${failing.url}/exp`,
      'ce-knativeerrorcode': '503',
      'ce-knativeerrordata': Buffer.from('busy').toString('base64'),
      'ce-reason': 'overloaded',
    });
    expect(JSON.parse(dead('e-exp').body.toString())).toEqual({ n: 1 });
    expect(dead('e-400').headers).toMatchObject({
      'ce-knativeerrorcode': '400',
      'ce-knativeerrordata': Buffer.from('bad').toString('base64'),
    });
    // A 2xx whose body is not an event is a failure without a response to report.
    expect(dead('e-odd').headers['ce-knativeerrordest']).toBe(
      odd.url.endsWith('/') ? odd.url : `${odd.url}/`,
    );
    expect(dead('e-odd').headers).not.toHaveProperty('ce-knativeerrorcode');
  });

  it('retries timeouts, and drops (logged and counted) what fails without a dead-letter sink', async () => {
    let calls = 0;
    const slowOnce = await subscriber(() => (calls++ === 0 ? { delayMs: 1500 } : {}));
    const broken = await subscriber(() => ({ status: 500 }));
    const b = await startTestBroker((name) => [
      ...brokerResources(namespace, name),
      triggerResource(namespace, name, 'slow', slowOnce.url, {
        filters: [{ exact: { type: 'slow' } }],
        delivery: { retry: 2, backoffDelay: 'PT0.01S', timeout: 'PT0.3S' },
      }),
      triggerResource(namespace, name, 'broken', broken.url, {
        filters: [{ exact: { type: 'broken' } }],
        delivery: { retry: 1, backoffDelay: 'PT0.01S' },
      }),
    ]);
    expect(await postEvent(b.ingress, { id: 's1', source: '/t', type: 'slow' })).toBe(202);
    expect(await postEvent(b.ingress, { id: 'x1', source: '/t', type: 'broken' })).toBe(202);
    await waitFor(
      () => slowOnce.received.length === 2 && broken.received.length === 2,
      20_000,
      'attempts',
    );
    let text = '';
    await eventually(async () => {
      text = await (await fetch(`${b.broker.url}/metrics`)).text();
      return text.includes('reason="no_dead_letter_sink"');
    }, 'the drop counter');
    expect(text).toContain(
      `broker_events_dropped_total{namespace="${namespace}",trigger="broken",reason="no_dead_letter_sink",service="broker"} 1`,
    );
    expect(text).toContain(
      `broker_dispatched_events_total{namespace="${namespace}",trigger="slow",outcome="delivered",service="broker"} 1`,
    );
  });

  it('keeps at most maxInFlight unordered deliveries in flight, several at once', async () => {
    let inFlight = 0;
    let highest = 0;
    const sub = await subscriber(async () => {
      inFlight++;
      highest = Math.max(highest, inFlight);
      await new Promise((r) => setTimeout(r, 40));
      inFlight--;
      return {};
    });
    const b = await startTestBroker(
      (name) => [
        ...brokerResources(namespace, name, { partitions: 4 }),
        triggerResource(namespace, name, 'u', sub.url),
      ],
      { maxInFlight: 5 },
    );
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        postEvent(b.ingress, { id: `u${i}`, source: '/t', type: 'u', partitionkey: `k${i}` }),
      ),
    );
    await waitFor(() => sub.received.length === 60, 30_000, '60 deliveries');
    expect(highest).toBeLessThanOrEqual(5);
    expect(highest).toBeGreaterThan(1);
  });

  it('keeps per-key order of 10,000 events in ordered delivery, retries included', async () => {
    const keys = 40;
    const perKey = 250;
    const failedOnce = new Set<string>();
    const delivered = new Map<string, number[]>();
    const sub = await subscriber((request) => {
      const id = header(request, 'ce-id')!;
      const [key, seq] = [header(request, 'ce-partitionkey')!, Number(header(request, 'ce-seq'))];
      if (seq % 97 === 5 && !failedOnce.has(id)) {
        failedOnce.add(id);
        return { status: 503 };
      }
      delivered.set(key, [...(delivered.get(key) ?? []), seq]);
      return {};
    });
    const b = await startTestBroker((name) => [
      ...brokerResources(namespace, name, { partitions: 10 }),
      triggerResource(namespace, name, 'ordered', sub.url, {
        ordered: true,
        delivery: { retry: 5, backoffPolicy: 'linear', backoffDelay: 'PT0.02S' },
      }),
    ]);
    const events = [];
    for (let seq = 0; seq < perKey; seq++) {
      for (let k = 0; k < keys; k++) {
        events.push({
          key: `key-${k}`,
          attributes: {
            id: `k${k}-${seq}`,
            source: '/t',
            type: 'ordered',
            partitionkey: `key-${k}`,
            seq: String(seq),
          },
          data: { k, seq },
        });
      }
    }
    await publishInOrder(b.ingress, events, keys);
    let total = 0;
    await waitFor(
      () => {
        total = [...delivered.values()].reduce((sum, list) => sum + list.length, 0);
        return total >= keys * perKey;
      },
      50_000,
      `${keys * perKey} deliveries (got ${total})`,
    );
    const expected = Array.from({ length: perKey }, (_, i) => i);
    for (let k = 0; k < keys; k++) expect(delivered.get(`key-${k}`), `key-${k}`).toEqual(expected);
    expect(failedOnce.size).toBeGreaterThan(50);
  }, 90_000);

  it('delivers everything to a subscriber that was down for a while once it is back', async () => {
    const port = await freePort();
    const b = await startTestBroker((name) => [
      ...brokerResources(namespace, name),
      triggerResource(namespace, name, 'down', `http://127.0.0.1:${port}/`, {
        delivery: { retry: 30, backoffPolicy: 'linear', backoffDelay: 'PT0.05S' },
      }),
    ]);
    const ids = Array.from({ length: 50 }, (_, i) => `d${i}`);
    for (const id of ids)
      expect(await postEvent(b.ingress, { id, source: '/t', type: 'down' })).toBe(202);
    await new Promise((r) => setTimeout(r, 1500));
    const sub = await subscriber(() => ({}), port);
    await waitFor(
      () => ids.every((id) => sub.deliveriesOf(id).length > 0),
      30_000,
      'all 50 delivered',
    );
    const text = await (await fetch(`${b.broker.url}/metrics`)).text();
    expect(text).not.toMatch(/^broker_events_dropped_total\{.*\} [1-9]/m);
  });

  it('starts a new Trigger at the latest offset and resumes an existing one from its commits', async () => {
    const first = await subscriber();
    const second = await subscriber();
    const name = uniqueName('b');
    const a = await startTestBroker(
      (n) => [...brokerResources(namespace, n), triggerResource(namespace, n, 'old', first.url)],
      { name },
    );
    expect(await postEvent(a.ingress, { id: 'before', source: '/t', type: 't' })).toBe(202);
    await waitFor(() => first.received.length === 1, 20_000, 'first delivery');
    await a.broker.stop();
    const b = await startTestBroker(
      (n) => [
        ...brokerResources(namespace, n),
        triggerResource(namespace, n, 'old', first.url),
        triggerResource(namespace, n, 'new', second.url),
      ],
      { name },
    );
    expect(await postEvent(b.ingress, { id: 'after', source: '/t', type: 't' })).toBe(202);
    await waitFor(
      () => first.received.length === 2 && second.received.length === 1,
      20_000,
      'deliveries',
    );
    expect(first.received.map((r) => header(r, 'ce-id'))).toEqual(['before', 'after']);
    expect(second.received.map((r) => header(r, 'ce-id'))).toEqual(['after']);
  });

  it('delivers every acknowledged event at least once across a broker restart, exactly once through the receiver', async () => {
    const receiver = await startCountingReceiver();
    cleanups.push(() => receiver.close());
    const name = uniqueName('b');
    const resources = (n: string) => [
      ...brokerResources(namespace, n, { partitions: 4 }),
      triggerResource(namespace, n, 'counted', receiver.url, {
        delivery: { retry: 20, backoffPolicy: 'linear', backoffDelay: 'PT0.05S' },
      }),
    ];
    const acked = new Set<string>();
    const publish = async (ingress: string, from: number, count: number) => {
      await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          if ((await publishCounted(ingress, from + i)) === 202) acked.add(`c${from + i}`);
        }),
      );
    };
    const a = await startTestBroker(resources, { name, maxInFlight: 20 });
    await publish(a.ingress, 0, 300);
    await waitFor(() => receiver.handled.size >= 60, 20_000, 'some handled before the restart');
    const inFlightAtStop = 300 - receiver.handled.size;
    await a.broker.stop();
    const b = await startTestBroker(resources, { name, maxInFlight: 20 });
    await publish(b.ingress, 300, 100);
    await waitFor(
      () => [...acked].every((id) => receiver.handled.has(id)),
      60_000,
      'every acknowledged event handled',
    );
    expect(inFlightAtStop).toBeGreaterThan(0);
    expect(acked.size).toBe(400);
    for (const id of acked) {
      expect(receiver.deliveries.get(id) ?? 0, id).toBeGreaterThanOrEqual(1);
      expect(receiver.handled.get(id), id).toBe(1);
    }
  }, 90_000);
});
