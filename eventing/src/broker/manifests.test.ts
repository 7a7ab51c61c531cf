import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadManifests, parseManifests } from './manifests.js';
import {
  brokerResources,
  manifestProblems,
  manifestSources,
  triggerResource,
} from './test-support.js';

const source = manifestSources;
const problemsOf = manifestProblems;

const trigger = (name: string, spec: Parameters<typeof triggerResource>[4] = {}) =>
  triggerResource('shop', 'default', name, 'http://sub.example/', spec);

describe('parseManifests', () => {
  it('reads the Kafka broker, its topic settings and its Triggers', () => {
    const manifests = parseManifests(
      source(
        ...brokerResources('shop', 'default', {
          partitions: 7,
          delivery: { retry: 2, backoffDelay: 'PT0.1S', deadLetterSink: { uri: 'http://dls/' } },
        }),
        trigger('audit', {
          filter: { attributes: { type: 'shop.offer.price_changed' } },
          ordered: true,
        }),
      ),
    );
    expect(manifests.brokers).toEqual([
      {
        namespace: 'shop',
        name: 'default',
        topic: 'knative-broker-shop-default',
        partitions: 7,
        replicationFactor: 1,
        bootstrapServers: 'localhost:9092',
        delivery: { retry: 2, backoffDelay: 'PT0.1S', deadLetterSink: { uri: 'http://dls/' } },
      },
    ]);
    expect(manifests.triggers).toMatchObject([
      { namespace: 'shop', name: 'audit', broker: 'default', ordered: true },
    ]);
  });

  it('reads multi-document YAML and skips brokers of another class and their Triggers', () => {
    const yaml = `
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: mt
  namespace: shop
  annotations:
    eventing.knative.dev/broker.class: MTChannelBasedBroker
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: t, namespace: shop }
spec:
  broker: mt
  subscriber: { uri: http://x/ }
---
apiVersion: v1
kind: Secret
metadata: { name: ignored }
`;
    const manifests = parseManifests([{ file: 'all.yaml', text: yaml }]);
    expect(manifests.brokers).toEqual([]);
    expect(manifests.triggers).toEqual([]);
    expect(manifests.warnings.join('\n')).toContain(
      'Broker shop/mt has broker class MTChannelBasedBroker',
    );
    expect(manifests.warnings.join('\n')).toContain('Trigger shop/t subscribes to Broker shop/mt');
  });

  it.each([
    [
      'a cesql filter',
      trigger('sql', { filters: [{ cesql: "type = 'a'" }] }),
      'Trigger shop/sql: spec.filters[0].cesql: CloudEvents SQL filters are not supported',
    ],
    [
      'two dialects in one item',
      trigger('two', { filters: [{ exact: { type: 'a' }, suffix: { type: 'b' } }] }),
      'Trigger shop/two: spec.filters[0]: multiple dialects found',
    ],
    [
      'two attributes in exact',
      trigger('pair', { filters: [{ exact: { type: 'a', source: 'b' } }] }),
      'Trigger shop/pair: spec.filters[0].exact: multiple items found',
    ],
    [
      'an unknown dialect',
      trigger('typo', { filters: [{ exacts: { type: 'a' } }] }),
      'Trigger shop/typo (r2.yaml): spec.filters.0: Unrecognized key: "exacts"',
    ],
    [
      'a bad attribute name in the legacy filter',
      trigger('legacy', { filter: { attributes: { Type: 'a' } } }),
      'Trigger shop/legacy: spec.filter.attributes.Type',
    ],
    [
      'a bad delivery order',
      {
        ...(trigger('order') as { metadata: object }),
        metadata: {
          name: 'order',
          namespace: 'shop',
          annotations: { 'kafka.eventing.knative.dev/delivery.order': 'sorted' },
        },
      },
      'Trigger shop/order: annotation kafka.eventing.knative.dev/delivery.order is sorted',
    ],
    [
      'a bad backoff delay',
      trigger('delay', { delivery: { retry: 1, backoffDelay: '1s' } }),
      'spec.delivery.backoffDelay: must be an ISO-8601 duration',
    ],
    [
      'a negative retry',
      trigger('neg', { delivery: { retry: -1 } }),
      'Trigger shop/neg (r2.yaml): spec.delivery.retry',
    ],
    [
      'a relative uri without ref',
      triggerResource('shop', 'default', 'rel', '/path'),
      'Trigger shop/rel (r2.yaml): spec.subscriber: a uri without ref must be absolute',
    ],
  ])('refuses %s, naming the trigger', (_name, resource, message) => {
    expect(problemsOf(...brokerResources('shop', 'default'), resource)).toContain(message);
  });

  it('refuses a Kafka broker without its ConfigMap or with incomplete topic settings', () => {
    const [configMap, broker] = brokerResources('shop', 'default') as [{ data: object }, object];
    expect(problemsOf(broker)).toContain(
      'Broker shop/default: spec.config references ConfigMap shop/kafka-broker-config, which is not in the manifests',
    );
    expect(
      problemsOf({ ...configMap, data: { 'default.topic.partitions': '0' } }, broker),
    ).toContain('needs default.topic.partitions and default.topic.replication.factor');
  });
});

describe('the repository manifests (knative/eventing)', () => {
  it('load: broker default and dead-letter of class Kafka in namespace shop', () => {
    const dir = fileURLToPath(new URL('../../../knative/eventing', import.meta.url));
    const manifests = loadManifests(dir);
    expect(manifests.warnings).toEqual([]);
    const byName = new Map(manifests.brokers.map((b) => [b.name, b]));
    expect(byName.get('default')).toMatchObject({
      namespace: 'shop',
      topic: 'knative-broker-shop-default',
      partitions: 10,
      delivery: {
        retry: 6,
        backoffPolicy: 'exponential',
        backoffDelay: 'PT0.5S',
        deadLetterSink: { ref: { kind: 'Broker', name: 'dead-letter' } },
      },
    });
    expect(byName.get('dead-letter')?.topic).toBe('knative-broker-shop-dead-letter');
  });
});
