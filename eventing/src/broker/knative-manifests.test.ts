// The shop's own manifests (knative/) agree with the event catalog on who may send events where:
// the default broker's EventPolicy names exactly the SinkBindings of the catalogued publishers,
// every Trigger and KafkaSource names its subscriber's audience, every subscriber's EventPolicy
// names exactly its Triggers and KafkaSources, and each Service's EVENTS_* settings say the same.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionAudience } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { eventCatalog, writtenStraightToKafka } from '../catalog/index.js';
import { allowedSenders, policiesFor } from './event-policies.js';
import { loadManifests, ManifestError, parseManifests } from './manifests.js';
import { oidcServiceAccountName, serviceAccountSubject } from './oidc.js';
import { brokerResources } from './test-support.js';

const knative = fileURLToPath(new URL('../../../knative/', import.meta.url));
const manifests = loadManifests(join(knative, 'eventing'));

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}
const servicesDir = join(knative, 'services');
const resources: Resource[] = readdirSync(servicesDir)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) =>
    parseAllDocuments(readFileSync(join(servicesDir, f), 'utf8')).map((d) => d.toJS() as Resource),
  );
const services = resources.filter(
  (r) => r.kind === 'Service' && r.apiVersion.startsWith('serving'),
);
const sinkBindings = resources.filter((r) => r.kind === 'SinkBinding');

const envOf = (service: Resource): Record<string, string | undefined> => {
  const containers = (
    service.spec as {
      template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } };
    }
  ).template.spec.containers;
  return Object.fromEntries((containers[0]?.env ?? []).map((e) => [e.name, e.value]));
};
const target = (kind: string, name: string) => ({
  group: kind === 'Service' ? 'serving.knative.dev' : 'eventing.knative.dev',
  kind,
  namespace: 'shop',
  name,
});

describe('knative/ and the event catalog', () => {
  const deployed = new Set(services.map((s) => s.metadata.name));
  // Clicks and Segment calls go straight to the analytics Kafka topic, not through the broker.
  const viaBroker = Object.values(eventCatalog).filter((d) => !writtenStraightToKafka(d.type));
  const publishers = [...new Set(viaBroker.map((definition) => definition.producer))]
    .filter((producer) => deployed.has(producer))
    .sort();

  it('turns authentication-oidc on', () => {
    expect(manifests.features).toEqual({
      oidc: true,
      defaultAuthorizationMode: 'allow-same-namespace',
    });
  });

  it('lets exactly the catalogued publishers send to the default broker, each with its own SinkBinding', () => {
    expect(publishers).toEqual([
      'analytics-ingest',
      'attribution',
      'auth',
      'cart',
      'conversion-webhook',
      'feature-flag',
      'notification',
      'offer',
      'redirect',
      'user',
    ]);
    expect(
      sinkBindings.map((b) => ({
        name: b.metadata.name,
        subject: (b.spec.subject as { name: string }).name,
        sink: (b.spec.sink as { ref: { kind: string; name: string } }).ref,
      })),
    ).toEqual(
      publishers.map((name) => ({
        name,
        subject: name,
        sink: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default' },
      })),
    );
    const allowed = allowedSenders(
      manifests.eventPolicies,
      manifests.features,
      target('Broker', 'default'),
    );
    expect(allowed.sort()).toEqual(
      publishers.map((p) =>
        serviceAccountSubject(
          'shop',
          oidcServiceAccountName('sources.knative.dev', 'SinkBinding', p),
        ),
      ),
    );
    for (const name of publishers) {
      const service = services.find((s) => s.metadata.name === name)!;
      expect(envOf(service).K_SINK_OIDC_TOKEN_FILE, name).toBe('/oidc/token');
    }
  });

  it('gives every Trigger and KafkaSource its subscriber audience, and every subscriber an EventPolicy naming exactly them', () => {
    const subscribers = new Map<string, string[]>();
    const identity = (group: string, kind: string, name: string) =>
      serviceAccountSubject('shop', oidcServiceAccountName(group, kind, name));
    const senders = [
      ...manifests.triggers.map(({ name, subscriber: sink }) => ({
        name,
        sink,
        subject: identity('eventing.knative.dev', 'Trigger', name),
      })),
      ...manifests.kafkaSources.map(({ name, sink }) => ({
        name,
        sink,
        subject: identity('sources.knative.dev', 'KafkaSource', name),
      })),
    ];
    for (const { name, sink, subject } of senders) {
      const service = sink.ref?.name ?? '';
      expect(sink.ref?.kind, name).toBe('Service');
      expect(sink.uri, name).toBe('/events');
      expect(sink.audience, name).toBe(functionAudience(service));
      subscribers.set(service, [...(subscribers.get(service) ?? []), subject]);
    }
    expect([...subscribers.keys()].sort()).toEqual([
      'attribution',
      'audit',
      'auth',
      'cart',
      'notification',
      'redirect',
      'reporting',
      'storefront',
      'user',
    ]);
    for (const [service, subjects] of subscribers) {
      const policy = policiesFor(manifests.eventPolicies, target('Service', service));
      expect(policy.length, service).toBeGreaterThan(0);
      const allowed = allowedSenders(
        manifests.eventPolicies,
        manifests.features,
        target('Service', service),
      );
      expect(allowed.sort(), service).toEqual(subjects.sort());
      // A Service not deployed yet (its manifest comes with the function) is checked once it is.
      const deployedService = services.find((s) => s.metadata.name === service);
      if (!deployedService) continue;
      const env = envOf(deployedService);
      expect(env.EVENTS_ALLOWED_SENDERS?.split(',').sort(), service).toEqual(subjects.sort());
      expect(env.EVENTS_OIDC_AUDIENCE, service).toBe(functionAudience(service));
    }
    // The dead-letter broker takes what every Trigger and KafkaSource fails to deliver, from them only.
    const deadLetter = allowedSenders(
      manifests.eventPolicies,
      manifests.features,
      target('Broker', 'dead-letter'),
    );
    expect(deadLetter.sort()).toEqual([...subscribers.values()].flat().sort());
  });

  it('applies every eventing manifest the local broker reads (the kustomization lists them all)', () => {
    const dir = join(knative, 'eventing');
    const listed = parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))
      .map((d) => d.toJS() as { resources: string[] })
      .flatMap((k) => k.resources);
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect(listed.sort()).toEqual(files.sort());
  });

  it('leaves no Broker to the default authorization mode', () => {
    for (const broker of manifests.brokers) {
      expect(
        policiesFor(manifests.eventPolicies, target('Broker', broker.name)),
        broker.name,
      ).not.toEqual([]);
    }
  });
});

describe('EventPolicy manifests', () => {
  const policy = (spec: object) => ({
    apiVersion: 'eventing.knative.dev/v1alpha1',
    kind: 'EventPolicy',
    metadata: { name: 'p', namespace: 'shop' },
    spec,
  });
  const problemsOf = (...extra: object[]) => {
    try {
      parseManifests(
        [...brokerResources('shop', 'default'), ...extra].map((r, i) => ({
          file: `r${i}.yaml`,
          text: JSON.stringify(r),
        })),
      );
    } catch (error) {
      if (error instanceof ManifestError) return error.problems.join('\n');
      throw error;
    }
    return '';
  };
  const to = [{ ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default' } }];

  it('resolves from refs to the OIDC identities Knative gives Triggers and sources, and keeps subs', () => {
    const parsed = parseManifests(
      [
        ...brokerResources('shop', 'default'),
        policy({
          to,
          from: [
            {
              ref: {
                apiVersion: 'sources.knative.dev/v1',
                kind: 'PingSource',
                name: 'tick',
                namespace: 'ops',
              },
            },
            { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Trigger', name: 'audit' } },
            { sub: 'system:serviceaccount:shop:*' },
          ],
        }),
      ].map((r, i) => ({ file: `r${i}.yaml`, text: JSON.stringify(r) })),
    );
    expect(parsed.eventPolicies).toEqual([
      {
        namespace: 'shop',
        name: 'p',
        to: [{ group: 'eventing.knative.dev', kind: 'Broker', name: 'default' }],
        from: [
          'system:serviceaccount:ops:tick-oidc-sources.knative.dev-pingsource',
          'system:serviceaccount:shop:audit-oidc-eventing.knative.dev-trigger',
          'system:serviceaccount:shop:*',
        ],
      },
    ]);
    // No config-features: Knative's defaults.
    expect(parsed.features).toEqual({
      oidc: false,
      defaultAuthorizationMode: 'allow-same-namespace',
    });
  });

  it('refuses what it does not implement or Knative does not accept, naming the policy', () => {
    expect(
      problemsOf(
        policy({ to, from: [{ sub: 'a', ref: { apiVersion: 'v1', kind: 'X', name: 'y' } }] }),
      ),
    ).toMatch(/EventPolicy shop\/p .*exactly one of ref and sub/);
    expect(problemsOf(policy({ to, from: [] }))).toMatch(/spec.from is empty/);
    expect(
      problemsOf(policy({ to: [{ selector: { matchLabels: {} } }], from: [{ sub: 'x' }] })),
    ).toMatch(/selector is not implemented/);
    expect(
      problemsOf(policy({ to, from: [{ sub: 'x' }], filters: [{ exact: { type: 'a' } }] })),
    ).toMatch(/filters are not implemented/);
    expect(
      problemsOf(
        policy({ to, from: [{ ref: { apiVersion: 'v1', kind: 'ServiceAccount', name: 'x' } }] }),
      ),
    ).toMatch(/Triggers and sources.knative.dev sources only/);
    expect(
      problemsOf(
        policy({
          to,
          from: [
            {
              ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Trigger', name: 'a'.repeat(40) },
            },
          ],
        }),
      ),
    ).toMatch(/use a shorter name/);
    expect(
      problemsOf({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'config-features', namespace: 'knative-eventing' },
        data: { 'authentication-oidc': 'on' },
      }),
    ).toMatch(/authentication-oidc is on/);
  });
});
