// KafkaSource delivery as the local broker runs it, in memory (unit) and on the Kafka of
// KAFKA_BROKERS (integration): records written straight to a topic (as redirect and
// analytics-ingest write them) reach the sink as binary-mode CloudEvents, plain records wrapped
// as Knative wraps them, per-key order kept in ordered mode, retries then the dead-letter sink,
// and the source's own OIDC identity presented for the sink's audience.
import {
  createEventSenderVerifier,
  type KafkaProducer,
  partitionForKey,
  silentLogger,
} from '@shop/shared';
import { testEventHeaders } from '@shop/shared/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaSourceGroup, type StartBrokerOptions, startBroker } from './broker.js';
import { allowedSenders } from './event-policies.js';
import { loadManifests } from './manifests.js';
import { createOidcIssuer } from './oidc.js';
import {
  kafkaSourceResource,
  manifestsDir,
  type Received,
  releaseTestKafka,
  startSubscriber,
  type TestSubscriber,
  testKafka,
  uniqueName,
  waitFor,
} from './test-support.js';

const kafka = testKafka();
const producer: KafkaProducer = kafka.producer();
const namespace = 'shop';
const cleanups: (() => Promise<void> | void)[] = [];
const topics: string[] = [];

afterAll(async () => {
  await producer.close();
  await releaseTestKafka(kafka, cleanups, topics);
});

const topicName = () => {
  const topic = uniqueName('analytics-');
  topics.push(topic);
  return topic;
};

async function subscriber(...args: Parameters<typeof startSubscriber>): Promise<TestSubscriber> {
  const s = await startSubscriber(...args);
  cleanups.push(() => s.close());
  return s;
}

async function startSourceBroker(
  resources: object[],
  options: Partial<StartBrokerOptions> = {},
): Promise<Awaited<ReturnType<typeof startBroker>>> {
  const { dir, cleanup } = manifestsDir(...resources);
  const broker = await startBroker({
    manifestsDir: dir,
    kafka,
    port: 0,
    resolveService: (service) => {
      throw new Error(`unknown service ${service}`);
    },
    log: silentLogger(),
    sourceTopicPartitions: 4,
    ...options,
  });
  cleanups.push(cleanup, () => broker.stop());
  return broker;
}

const header = (r: Received, name: string) => r.headers[name] as string | undefined;

/** The headers of a click as functions/redirect/src/click-recorder.ts writes it. */
const clickHeaders = (id: string, key: string) => ({
  ce_specversion: '1.0',
  ce_id: id,
  ce_source: '/shop/redirect',
  ce_type: 'shop.link.clicked',
  ce_time: '2026-12-02T05:23:10.120Z',
  ce_dataschema: 'https://schemas.shop.example/events/shop.link.clicked/v1.json',
  ce_partitionkey: key,
  ce_traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  'content-type': 'application/json',
});

describe(`KafkaSource in the local broker (${kafka.kind})`, () => {
  it('delivers binary and structured CloudEvent records as those events, and wraps plain records as Knative does', async () => {
    const sink = await subscriber(() => ({ status: 202 }));
    const [clicksTopic, pagesTopic] = [topicName(), topicName()];
    const name = uniqueName('ks-');
    const broker = await startSourceBroker([
      kafkaSourceResource(namespace, name, [clicksTopic, pagesTopic], `${sink.url}/events`),
    ]);
    // Topics that did not exist were created, one consumer group per topic.
    expect(await kafka.admin().partitionCount(clicksTopic)).toBe(4);
    expect(await kafka.admin().partitionCount(pagesTopic)).toBe(4);

    await producer.send(
      clicksTopic,
      [{ key: 'click-1', value: '{"clickId":"1"}', headers: clickHeaders('c1', 'click-1') }],
      { acks: -1 },
    );
    await producer.send(
      pagesTopic,
      [
        {
          key: 'visitor-7',
          value: JSON.stringify({
            specversion: '1.0',
            id: 'p1',
            source: '/shop/analytics-ingest',
            type: 'shop.analytics.page',
            partitionkey: 'visitor-7',
            data: { path: '/' },
          }),
          headers: { 'content-type': 'application/cloudevents+json' },
        },
        {
          key: 'visitor-7',
          value: 'plain text, not an event',
          headers: { 'content-type': 'Text/Plain', 'x-origin': 'legacy' },
        },
        { key: null, value: '{}', headers: {} },
      ],
      { acks: -1 },
    );
    await waitFor(() => sink.received.length === 4, 20_000, 'four deliveries');

    const click = sink.deliveriesOf('c1')[0]!;
    expect(click.path).toBe('/events');
    expect(click.body.toString()).toBe('{"clickId":"1"}');
    expect(header(click, 'content-type')).toBe('application/json');
    expect(header(click, 'ce-type')).toBe('shop.link.clicked');
    expect(header(click, 'ce-source')).toBe('/shop/redirect');
    expect(header(click, 'ce-time')).toBe('2026-12-02T05:23:10.120Z');
    expect(header(click, 'ce-partitionkey')).toBe('click-1');
    // The event's starting trace is kept (the delivery span continuing it is the SDK's to send).
    expect(header(click, 'ce-traceparent')).toBe(
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    );
    expect(header(click, 'ce-knativekafkapartition')).toBe(
      String(partitionForKey(Buffer.from('click-1'), 4)),
    );
    expect(header(click, 'ce-knativekafkaoffset')).toBe('0');
    expect(header(click, 'ce-key')).toBeUndefined();
    expect(header(click, 'kn-namespace')).toBe(namespace);
    expect(header(click, 'authorization')).toBeUndefined(); // authentication-oidc is off here

    const page = sink.deliveriesOf('p1')[0]!;
    expect(header(page, 'content-type')).toBe('application/json');
    expect(header(page, 'ce-type')).toBe('shop.analytics.page');
    expect(JSON.parse(page.body.toString())).toEqual({ path: '/' });

    const partition = String(partitionForKey(Buffer.from('visitor-7'), 4));
    const plain = sink.received.find((r) => header(r, 'ce-kafkaheaderxorigin') === 'legacy')!;
    const offset = header(plain, 'ce-knativekafkaoffset');
    expect(header(plain, 'ce-knativekafkapartition')).toBe(partition);
    expect(header(plain, 'ce-id')).toBe(`partition:${partition}/offset:${offset}`);
    expect(header(plain, 'ce-subject')).toBe(`partition:${partition}#${offset}`);
    expect(header(plain, 'ce-source')).toBe(
      `/apis/v1/namespaces/${namespace}/kafkasources/${name}#${pagesTopic}`,
    );
    expect(header(plain, 'ce-type')).toBe('dev.knative.kafka.event');
    expect(header(plain, 'ce-key')).toBe('visitor-7');
    expect(header(plain, 'ce-partitionkey')).toBe('visitor-7');
    expect(header(plain, 'content-type')).toBe('text/plain');
    expect(header(plain, 'ce-time')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/);
    expect(plain.body.toString()).toBe('plain text, not an event');
    const keyless = sink.received.find(
      (r) => header(r, 'ce-type') === 'dev.knative.kafka.event' && r !== plain,
    )!;
    expect(header(keyless, 'ce-key')).toBeUndefined();
    expect(keyless.body.toString()).toBe('{}');

    const metrics = await (await fetch(`${broker.url}/metrics`)).text();
    expect(metrics).toContain(
      `broker_dispatched_events_total{namespace="${namespace}",trigger="kafkasource/${name}",outcome="delivered",service="broker"} 4`,
    );
    const source = broker.manifests.kafkaSources[0]!;
    expect(metrics).toMatch(
      new RegExp(
        `messaging_kafka_consumer_lag\\{namespace="${namespace}",messaging_consumer_group_name="${kafkaSourceGroup(source, clicksTopic)}",messaging_destination_name="${clicksTopic}",service="broker"\\} \\d`,
      ),
    );
  });

  it('keeps each key’s order in ordered mode through retries, and treats any 2xx as done (no reply path)', async () => {
    let n = 0;
    const delivered = new Set<string>();
    const attempts = new Map<string, number>();
    // Every third record fails its first attempt and is retried (per record, so no record can
    // meet a streak of failures however the partitions' requests interleave); answers carry
    // bodies a Trigger would take for replies.
    const sink = await subscriber((request) => {
      const id = String(request.headers['ce-id']);
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      if (attempt === 1 && ++n % 3 === 0) return { status: 503 };
      delivered.add(id);
      return { status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } };
    });
    const topic = topicName();
    const dls = await subscriber();
    await startSourceBroker([
      kafkaSourceResource(namespace, uniqueName('ks-'), [topic], sink.url, {
        delivery: {
          retry: 5,
          backoffPolicy: 'linear',
          backoffDelay: 'PT0.01S',
          deadLetterSink: { uri: dls.url },
        },
      }),
    ]);
    const keys = ['v1', 'v2', 'v3', 'v4', 'v5'];
    const perKey = 40;
    for (let i = 0; i < perKey; i++) {
      await producer.send(
        topic,
        keys.map((key) => ({ key, value: JSON.stringify({ key, i }), headers: {} })),
        { acks: -1 },
      );
    }
    await waitFor(() => delivered.size === keys.length * perKey, 60_000, 'every record delivered');
    expect(dls.received).toEqual([]);
    // Some records were retried: the order below held through retries.
    expect([...attempts.values()].filter((count) => count > 1).length).toBeGreaterThan(0);
    for (const key of keys) {
      // The order of first arrivals of each record of the key, retries collapsed.
      const order: number[] = [];
      for (const r of sink.received) {
        const body = JSON.parse(r.body.toString()) as { key: string; i: number };
        if (body.key === key && order.at(-1) !== body.i) order.push(body.i);
      }
      expect(order, key).toEqual(Array.from({ length: perKey }, (_, i) => i));
    }
  });

  it('retries on the schedule, then dead-letters with the error extensions; starts at the earliest offset when asked', async () => {
    const topic = topicName();
    // Written before the source exists: initialOffset earliest reads it anyway.
    await kafka.admin().createTopic({ topic, partitions: 2, replicationFactor: 1 });
    await producer.send(topic, [{ key: 'k', value: 'x', headers: {} }], { acks: -1 });
    const sink = await subscriber(() => ({
      status: 503,
      headers: { 'kne-reason': 'down' },
      body: 'nope',
    }));
    const dls = await subscriber();
    const name = uniqueName('ks-');
    const broker = await startSourceBroker([
      kafkaSourceResource(namespace, name, [topic], sink.url, {
        initialOffset: 'earliest',
        delivery: {
          retry: 2,
          backoffPolicy: 'linear',
          backoffDelay: 'PT0.05S',
          deadLetterSink: { uri: dls.url },
        },
      }),
    ]);
    await waitFor(() => dls.received.length === 1, 20_000, 'the dead letter');
    expect(sink.received).toHaveLength(3);
    const gaps = sink.received.slice(1).map((r, i) => r.at - sink.received[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(45); // 0.05 s · 1
    expect(gaps[1]).toBeGreaterThanOrEqual(95); // 0.05 s · 2
    const dead = dls.received[0]!;
    expect(header(dead, 'ce-type')).toBe('dev.knative.kafka.event');
    expect(header(dead, 'ce-knativeerrordest')).toBe(`${sink.url}/`);
    expect(header(dead, 'ce-knativeerrorcode')).toBe('503');
    expect(header(dead, 'ce-knativeerrordata')).toBe(Buffer.from('nope').toString('base64'));
    expect(header(dead, 'ce-reason')).toBe('down');
    const metrics = await (await fetch(`${broker.url}/metrics`)).text();
    expect(metrics).toContain(
      `broker_dispatched_events_total{namespace="${namespace}",trigger="kafkasource/${name}",outcome="dead_lettered",service="broker"} 1`,
    );
  });

  it('presents the KafkaSource’s OIDC identity for the sink’s audience; its sink refuses forged senders', async () => {
    const oidc = createOidcIssuer({ issuer: 'http://kafka-source.broker.test' });
    const name = uniqueName('ks-');
    const subject = `system:serviceaccount:${namespace}:${name}-oidc-sources.knative.dev-kafkasource`;
    const audience = 'serving.knative.dev/service/shop/attribution';
    const topic = topicName();
    const resources = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'config-features', namespace: 'knative-eventing' },
        data: { 'authentication-oidc': 'enabled' },
      },
      {
        apiVersion: 'eventing.knative.dev/v1alpha1',
        kind: 'EventPolicy',
        metadata: { name: 'attribution-kafka-sources', namespace },
        spec: {
          to: [
            { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'attribution' } },
          ],
          from: [{ ref: { apiVersion: 'sources.knative.dev/v1beta1', kind: 'KafkaSource', name } }],
        },
      },
      kafkaSourceResource(
        namespace,
        name,
        [topic],
        {
          ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'attribution' },
          uri: '/events',
          audience,
        },
        { delivery: { retry: 0 } },
      ),
    ];
    // The stand-in attribution: the kit's sender verifier with the senders its policy allows.
    const { dir: policyDir, cleanup } = manifestsDir(...resources);
    cleanups.push(cleanup);
    const manifests = loadManifests(policyDir);
    const allowed = allowedSenders(manifests.eventPolicies, manifests.features, {
      group: 'serving.knative.dev',
      kind: 'Service',
      namespace,
      name: 'attribution',
    });
    expect(allowed).toEqual([subject]);
    const verify = createEventSenderVerifier({
      issuer: oidc.issuer,
      jwks: oidc.jwks as unknown as Parameters<typeof createEventSenderVerifier>[0]['jwks'],
      audience,
      allowedSenders: allowed,
    });
    const senders: string[] = [];
    const sink = await subscriber(async (request) => {
      const headers = new Headers();
      for (const [key, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers.set(key, value);
      }
      try {
        const sender = await verify(
          new Request('http://sink.test/events', { method: 'POST', headers }),
        );
        senders.push(sender.subject);
        return { status: 204 };
      } catch (error) {
        return { status: (error as { status?: number }).status ?? 500 };
      }
    });
    const broker = await startSourceBroker(resources, {
      oidc,
      resolveService: (service) => {
        if (service !== 'attribution') throw new Error(`unknown service ${service}`);
        return sink.url;
      },
    });
    const env = await broker.eventEnv('attribution');
    expect(env.EVENTS_ALLOWED_SENDERS).toBe(subject);
    expect(env.EVENTS_OIDC_AUDIENCE).toBe(audience);

    await producer.send(topic, [{ key: 'v', value: '{}', headers: {} }], { acks: -1 });
    await waitFor(() => senders.length === 1, 20_000, 'a verified delivery');
    expect(senders).toEqual([subject]);
    const token = String(sink.received[0]!.headers.authorization).replace(/^Bearer /, '');
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      sub: string;
      aud: string[];
      iss: string;
    };
    expect(claims).toMatchObject({ sub: subject, aud: [audience], iss: oidc.issuer });
    expect(sink.received[0]!.path).toBe('/events');

    // Forgeries posted straight to the sink: no token, another issuer's, a Trigger's identity.
    const post = (headers: Record<string, string>) =>
      fetch(`${sink.url}/events`, {
        method: 'POST',
        headers: {
          'ce-specversion': '1.0',
          'ce-id': 'forged',
          'ce-source': '/shop/redirect',
          'ce-type': 'shop.link.clicked',
          ...headers,
        },
        body: '{}',
      }).then((r) => r.status);
    expect(await post({})).toBe(401);
    expect(await post(testEventHeaders(audience, { subject }))).toBe(401);
    const trigger = oidc.issueToken({
      namespace,
      serviceAccount: 'attribution-on-payment-oidc-eventing.knative.dev-trigger',
      audience,
    });
    expect(await post({ authorization: `Bearer ${trigger}` })).toBe(403);
    const otherAudience = oidc.issueToken({
      namespace,
      serviceAccount: `${name}-oidc-sources.knative.dev-kafkasource`,
      audience: 'serving.knative.dev/service/shop/cart',
    });
    expect(await post({ authorization: `Bearer ${otherAudience}` })).toBe(401);
    expect(senders).toEqual([subject]);
  });

  it('starts when a sink cannot be resolved or does not answer, and waits for topics when told to', async () => {
    const topic = topicName();
    const name = uniqueName('ks-');
    const broker = await startSourceBroker(
      [
        kafkaSourceResource(namespace, uniqueName('ks-'), [topicName()], {
          ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'nowhere' },
        }),
        kafkaSourceResource(namespace, name, [topic], 'http://127.0.0.1:1/events', {
          delivery: { retry: 1, backoffDelay: 'PT0.01S' },
        }),
      ],
      { sourceTopics: 'wait' },
    );
    expect((await fetch(`${broker.url}/readyz`)).status).toBe(200);
    // The topic appears later; the source then joins and delivers (to nobody: dropped, counted).
    await kafka.admin().createTopic({ topic, partitions: 1, replicationFactor: 1 });
    const dropped = async () =>
      new RegExp(
        `broker_events_dropped_total\\{namespace="${namespace}",trigger="kafkasource/${name}",reason="no_dead_letter_sink",service="broker"\\} [1-9]`,
      ).test(await (await fetch(`${broker.url}/metrics`)).text());
    // Records written from now on count (latest): write until the group has joined.
    const deadline = Date.now() + 20_000;
    while (!(await dropped())) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the drop');
      await producer.send(topic, [{ key: null, value: 'x', headers: {} }], { acks: -1 });
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
