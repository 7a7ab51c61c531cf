// KafkaSource manifests as the local broker reads them (Knative's defaults, refusals naming the
// source) and what a KafkaSource makes of a record (InvalidCloudEventInterceptor's wrapping).
import { fileURLToPath } from 'node:url';
import type { ConsumedRecord } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { javaInstant, kafkaSourceEvent, wrapPlainRecord } from './kafka-source.js';
import { loadManifests, parseManifests } from './manifests.js';
import { kafkaSourceResource, manifestProblems, manifestSources } from './test-support.js';

const source = manifestSources;
const problemsOf = manifestProblems;

const ks = (spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) =>
  kafkaSourceResource('shop', 'clicks', ['shop-analytics'], 'http://sink.test/', spec, metadata);

describe('KafkaSource manifests', () => {
  it('reads the repository’s analytics source as Knative would run it', () => {
    const manifests = loadManifests(
      fileURLToPath(new URL('../../../knative/eventing', import.meta.url)),
    );
    const attribution = {
      namespace: 'shop',
      name: 'analytics-to-attribution',
      topics: ['shop-analytics', 'shop-analytics-overflow', 'shop-analytics-historical'],
      bootstrapServers: ['kafka-bootstrap.kafka.svc.cluster.local:9092'],
      consumerGroup: 'knative-kafka-source-shop-analytics-to-attribution',
      initialOffset: 'earliest',
      ordered: true,
      sink: {
        ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'attribution' },
        uri: '/events',
        audience: 'serving.knative.dev/service/shop/attribution',
      },
      delivery: {
        retry: 6,
        backoffPolicy: 'exponential',
        backoffDelay: 'PT0.5S',
        timeout: 'PT30S',
        deadLetterSink: {
          ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'dead-letter' },
        },
      },
      extensions: {},
    };
    // reporting reads the same topics through a source (and consumer group) of its own.
    const reporting = {
      ...attribution,
      name: 'analytics-to-reporting',
      consumerGroup: 'knative-kafka-source-shop-analytics-to-reporting',
      sink: {
        ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'reporting' },
        uri: '/events',
        audience: 'serving.knative.dev/service/shop/reporting',
      },
    };
    expect(manifests.kafkaSources).toEqual([attribution, reporting]);
  });

  it('applies the webhook’s defaults: latest, ordered, a stable consumer group', () => {
    const [parsed] = parseManifests(source(ks())).kafkaSources;
    expect(parsed).toEqual({
      namespace: 'shop',
      name: 'clicks',
      topics: ['shop-analytics'],
      bootstrapServers: ['localhost:9092'],
      consumerGroup: 'knative-kafka-source-shop-clicks',
      initialOffset: 'latest',
      ordered: true,
      sink: { uri: 'http://sink.test/' },
      extensions: {},
    });
    const unordered = parseManifests(
      source(ks({ ordering: 'unordered', ceOverrides: { extensions: { team: 'growth' } } })),
    ).kafkaSources[0];
    expect(unordered).toMatchObject({ ordered: false, extensions: { team: 'growth' } });
  });

  it.each([
    ['no topics', ks({ topics: [] }), /spec.topics: name at least one topic/],
    [
      'no bootstrap servers',
      ks({ bootstrapServers: [] }),
      /spec.bootstrapServers: name at least one bootstrap server/,
    ],
    ['an initial offset Knative does not know', ks({ initialOffset: 'oldest' }), /initialOffset/],
    ['an ordering Knative does not know', ks({ ordering: 'fifo' }), /spec.ordering/],
    ['a misspelt field', ks({ intialOffset: 'earliest' }), /intialOffset/],
    ['a topic name Kafka refuses', ks({ topics: ['shop analytics'] }), /not a Kafka topic name/],
    ['a relative sink without ref', ks({ sink: { uri: '/events' } }), /must be absolute/],
    [
      'the Trigger ordering annotation',
      ks({}, { annotations: { 'kafka.eventing.knative.dev/delivery.order': 'ordered' } }),
      /read on Triggers only; a KafkaSource's order is spec.ordering/,
    ],
    [
      'a key type other than string',
      ks({}, { labels: { 'kafkasources.sources.knative.dev/key-type': 'int' } }),
      /int keys are not implemented/,
    ],
    [
      'a bad extension name in ceOverrides',
      ks({ ceOverrides: { extensions: { 'Team-Name': 'x' } } }),
      /lowercase alphanumeric/,
    ],
    ['a backoff delay that is not ISO-8601', ks({ delivery: { backoffDelay: '1s' } }), /ISO-8601/],
  ])('refuses %s, naming the KafkaSource', (_, resource, problem) => {
    const problems = problemsOf(resource);
    expect(problems).toMatch(/^KafkaSource shop\/clicks \(r0\.yaml\)|^KafkaSource shop\/clicks:/);
    expect(problems).toMatch(problem);
  });

  it('refuses a name whose OIDC identity Knative would hash, twice-defined sources and a shared group', () => {
    expect(
      problemsOf(kafkaSourceResource('shop', 'a'.repeat(40), ['t'], 'http://sink.test/')),
    ).toMatch(/KafkaSource shop\/a{40}: .*use a shorter name/);
    expect(problemsOf(ks(), ks())).toMatch(/KafkaSource shop\/clicks: defined twice/);
    expect(
      problemsOf(
        ks({ consumerGroup: 'g' }),
        kafkaSourceResource('shop', 'views', ['t'], 'http://sink.test/', { consumerGroup: 'g' }),
      ),
    ).toMatch(
      /KafkaSource shop\/views: spec.consumerGroup g is also the consumer group of KafkaSource shop\/clicks/,
    );
  });
});

const record = (overrides: Partial<ConsumedRecord> = {}): ConsumedRecord => ({
  topic: 'shop-analytics',
  partition: 3,
  offset: '42',
  key: Buffer.from('visitor-7'),
  value: Buffer.from('{"page":"/"}'),
  headers: {},
  timestamp: Date.UTC(2026, 11, 2, 5, 23, 10, 120),
  ...overrides,
});
const clicks = { namespace: 'shop', name: 'clicks', extensions: {} };
/** The attributes a wrapped record gets from its place: topic, partition 3, offset 42, time. */
const placeOfRecord = {
  specversion: '1.0',
  id: 'partition:3/offset:42',
  source: '/apis/v1/namespaces/shop/kafkasources/clicks#shop-analytics',
  subject: 'partition:3#42',
  time: '2026-12-02T05:23:10.12Z',
  type: 'dev.knative.kafka.event',
};

describe('what a KafkaSource delivers for a record', () => {
  it('writes record times as the Java SDK does', () => {
    expect(javaInstant(Date.UTC(2026, 11, 2, 5, 23, 10, 0))).toBe('2026-12-02T05:23:10Z');
    expect(javaInstant(Date.UTC(2026, 11, 2, 5, 23, 10, 100))).toBe('2026-12-02T05:23:10.1Z');
    expect(javaInstant(Date.UTC(2026, 11, 2, 5, 23, 10, 120))).toBe('2026-12-02T05:23:10.12Z');
    expect(javaInstant(Date.UTC(2026, 11, 2, 5, 23, 10, 123))).toBe('2026-12-02T05:23:10.123Z');
  });

  it('wraps a plain record exactly as InvalidCloudEventInterceptor does', () => {
    const event = wrapPlainRecord(
      record({
        headers: {
          'Content-Type': Buffer.from('Application/JSON; charset=UTF-8'),
          'X-Trace_Id': Buffer.from('abc'),
          traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
        },
      }),
      clicks,
    );
    expect(event).toEqual({
      attributes: {
        ...placeOfRecord,
        partitionkey: 'visitor-7',
        key: 'visitor-7',
        datacontenttype: 'application/json; charset=utf-8',
        kafkaheaderxtraceid: 'abc',
        kafkaheadertraceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
      data: Buffer.from('{"page":"/"}'),
    });
    // No key, no value, no headers: no key extensions, no data, no datacontenttype.
    expect(wrapPlainRecord(record({ key: null, value: null }), clicks)).toEqual({
      attributes: {
        ...placeOfRecord,
      },
      data: null,
    });
  });

  it('passes CloudEvents in binary and structured Kafka mode through, and wraps what is not a valid one', () => {
    const binary = record({
      headers: {
        ce_specversion: Buffer.from('1.0'),
        ce_id: Buffer.from('c1'),
        ce_source: Buffer.from('/shop/redirect'),
        ce_type: Buffer.from('shop.link.clicked'),
        ce_partitionkey: Buffer.from('visitor-7'),
        'content-type': Buffer.from('application/json'),
      },
    });
    expect(kafkaSourceEvent(binary, clicks)).toEqual({
      attributes: {
        specversion: '1.0',
        id: 'c1',
        source: '/shop/redirect',
        type: 'shop.link.clicked',
        partitionkey: 'visitor-7',
        datacontenttype: 'application/json',
      },
      data: Buffer.from('{"page":"/"}'),
    });
    const structured = record({
      headers: { 'content-type': Buffer.from('application/cloudevents+json; charset=utf-8') },
      value: Buffer.from(
        JSON.stringify({
          specversion: '1.0',
          id: 's1',
          source: '/shop/analytics-ingest',
          type: 'shop.analytics.page',
          data: { page: '/' },
        }),
      ),
    });
    expect(kafkaSourceEvent(structured, clicks)).toEqual({
      attributes: {
        specversion: '1.0',
        id: 's1',
        source: '/shop/analytics-ingest',
        type: 'shop.analytics.page',
        datacontenttype: 'application/json',
      },
      data: Buffer.from('{"page":"/"}'),
    });
    // A binary record without an id, and a structured format the SDK cannot read: wrapped.
    const noId = record({ headers: { ce_specversion: Buffer.from('1.0') } });
    expect(kafkaSourceEvent(noId, clicks).attributes).toMatchObject({
      type: 'dev.knative.kafka.event',
      kafkaheadercespecversion: '1.0',
    });
    const xml = record({ headers: { 'content-type': Buffer.from('application/cloudevents+xml') } });
    expect(kafkaSourceEvent(xml, clicks).attributes).toMatchObject({
      type: 'dev.knative.kafka.event',
      datacontenttype: 'application/cloudevents+xml',
    });
    // ceOverrides extensions on every event.
    expect(
      kafkaSourceEvent(binary, { ...clicks, extensions: { team: 'growth' } }).attributes.team,
    ).toBe('growth');
  });
});
