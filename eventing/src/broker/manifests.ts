// Reads the Knative Eventing manifests (the same YAML kubectl applies) and validates what the
// local broker relies on, naming the resource at fault.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import type { DeliverySpec, Destination } from './delivery.js';
import { parseIsoDuration } from './duration.js';
import {
  type EventingFeatures,
  type EventPolicyManifest,
  eventPolicySchema,
  FEATURES_CONFIG_MAP,
  parseFeatures,
  resolveEventPolicy,
} from './event-policies.js';
import { type SubscriptionsApiFilter, validateTriggerFilters } from './filters.js';
import { oidcServiceAccountName } from './oidc.js';

export const BROKER_CLASS_ANNOTATION = 'eventing.knative.dev/broker.class';
export const DELIVERY_ORDER_ANNOTATION = 'kafka.eventing.knative.dev/delivery.order';

/** A Broker of class Kafka with its topic settings from the referenced ConfigMap. */
export interface BrokerManifest {
  namespace: string;
  name: string;
  /** `knative-broker-<namespace>-<name>`. */
  topic: string;
  partitions: number;
  replicationFactor: number;
  /** `bootstrap.servers` of the ConfigMap (the local broker uses KAFKA_BROKERS instead). */
  bootstrapServers: string;
  delivery?: DeliverySpec;
}

export interface TriggerManifest {
  namespace: string;
  name: string;
  broker: string;
  subscriber: Destination;
  filter?: { attributes?: Record<string, string> };
  filters?: SubscriptionsApiFilter[];
  delivery?: DeliverySpec;
  ordered: boolean;
}

/**
 * A KafkaSource (sources.knative.dev/v1beta1, eventing-kafka-broker) with Knative's defaults
 * applied: it consumes `topics` and delivers each record to `sink` as a CloudEvent.
 */
export interface KafkaSourceManifest {
  namespace: string;
  name: string;
  topics: string[];
  /** `spec.bootstrapServers` (the local broker uses KAFKA_BROKERS instead). */
  bootstrapServers: string[];
  /**
   * `spec.consumerGroup`; Knative's webhook fills in `knative-kafka-source-<uuid>` once when it
   * is empty, the local broker the stable `knative-kafka-source-<namespace>-<name>`.
   */
  consumerGroup: string;
  /** `spec.initialOffset`: where a new consumer group starts (default latest). */
  initialOffset: 'earliest' | 'latest';
  /** `spec.ordering` (default ordered): one delivery at a time per partition. */
  ordered: boolean;
  sink: Destination;
  /** `spec.delivery`; none means the source reconciler's default (10 retries, PT0.3S). */
  delivery?: DeliverySpec;
  /** `spec.ceOverrides.extensions`: set on every event delivered. */
  extensions: Record<string, string>;
}

export interface Manifests {
  brokers: BrokerManifest[];
  triggers: TriggerManifest[];
  kafkaSources: KafkaSourceManifest[];
  /** EventPolicies, their `from` resolved to subjects. */
  eventPolicies: EventPolicyManifest[];
  /** `knative-eventing/config-features` (authentication-oidc, default-authorization-mode). */
  features: EventingFeatures;
  /** Resources skipped on purpose (other broker classes, Triggers of unknown brokers). */
  warnings: string[];
}

/** Thrown when manifests are invalid; lists every problem with its resource. */
export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(readonly problems: string[]) {
    super(`Invalid Knative manifests:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const DEFAULT_NAMESPACE = 'default';

const metadata = z.object({
  name: z.string().min(1),
  namespace: z.string().min(1).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const isoDuration = z.string().refine((v) => parseIsoDuration(v) !== undefined, {
  message: 'must be an ISO-8601 duration such as PT1S',
});

const destination = z
  .object({
    ref: z
      .object({
        apiVersion: z.string().min(1),
        kind: z.string().min(1),
        name: z.string().min(1),
        namespace: z.string().min(1).optional(),
      })
      .optional(),
    uri: z.string().min(1).optional(),
    CACerts: z.string().optional(),
    audience: z.string().optional(),
  })
  .refine((d) => d.ref !== undefined || d.uri !== undefined, {
    message: 'expected at least one of ref or uri',
  })
  .refine((d) => d.ref !== undefined || (d.uri !== undefined && URL.canParse(d.uri)), {
    message: 'a uri without ref must be absolute',
  });

const delivery = z.object({
  deadLetterSink: destination.optional(),
  retry: z.number().int().min(0).optional(),
  backoffPolicy: z.enum(['linear', 'exponential']).optional(),
  backoffDelay: isoDuration.optional(),
  timeout: isoDuration.optional(),
  retryAfterMax: isoDuration.optional(),
});

const subscriptionsApiFilter: z.ZodType<SubscriptionsApiFilter> = z.lazy(() =>
  z
    .object({
      exact: z.record(z.string(), z.string()).optional(),
      prefix: z.record(z.string(), z.string()).optional(),
      suffix: z.record(z.string(), z.string()).optional(),
      all: z.array(subscriptionsApiFilter).optional(),
      any: z.array(subscriptionsApiFilter).optional(),
      not: subscriptionsApiFilter.optional(),
      cesql: z.string().optional(),
    })
    .strict(),
);

const brokerSchema = z.object({
  apiVersion: z.literal('eventing.knative.dev/v1'),
  kind: z.literal('Broker'),
  metadata,
  spec: z
    .object({
      config: z
        .object({
          apiVersion: z.string().optional(),
          kind: z.literal('ConfigMap'),
          name: z.string().min(1),
          namespace: z.string().min(1).optional(),
        })
        .optional(),
      delivery: delivery.optional(),
    })
    .default({}),
});

const triggerSchema = z.object({
  apiVersion: z.literal('eventing.knative.dev/v1'),
  kind: z.literal('Trigger'),
  metadata,
  spec: z.object({
    broker: z.string().min(1),
    filter: z.object({ attributes: z.record(z.string(), z.string()).optional() }).optional(),
    filters: z.array(subscriptionsApiFilter).optional(),
    subscriber: destination,
    delivery: delivery.optional(),
  }),
});

/** The label choosing how record keys are read (`kafkasources.sources.knative.dev/key-type`). */
export const KAFKA_KEY_TYPE_LABEL = 'kafkasources.sources.knative.dev/key-type';

const kafkaSourceSchema = z.object({
  apiVersion: z.enum(['sources.knative.dev/v1beta1', 'sources.knative.dev/v1']),
  kind: z.literal('KafkaSource'),
  metadata: metadata.extend({ labels: z.record(z.string(), z.string()).optional() }),
  spec: z
    .object({
      // Kubernetes prunes unknown fields silently; refusing them here catches a misspelt one.
      bootstrapServers: z.array(z.string().min(1)).min(1, 'name at least one bootstrap server'),
      topics: z
        .array(z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'not a Kafka topic name'))
        .min(1, 'name at least one topic'),
      consumerGroup: z.string().min(1).optional(),
      initialOffset: z.enum(['earliest', 'latest']).optional(),
      ordering: z.enum(['ordered', 'unordered']).optional(),
      consumers: z.number().int().min(1).optional(),
      // SASL/TLS settings: the local broker connects to KAFKA_BROKERS as it is.
      net: z.record(z.string(), z.unknown()).optional(),
      sink: destination,
      delivery: delivery.optional(),
      ceOverrides: z
        .object({
          extensions: z
            .record(z.string(), z.string())
            .refine((extensions) => Object.keys(extensions).every((n) => /^[a-z0-9]+$/.test(n)), {
              message: 'extension names are lowercase alphanumeric',
            })
            .optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
});

const configMapSchema = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('ConfigMap'),
  metadata,
  data: z.record(z.string(), z.string()).default({}),
});

function issues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
    .join('; ');
}

const positiveInt = (value: string | undefined) =>
  value !== undefined && /^\d+$/.test(value.trim()) && Number(value) >= 1
    ? Number(value)
    : undefined;

/** Parsed YAML documents of one file. */
export interface ManifestSource {
  file: string;
  text: string;
}

/**
 * Validates Brokers, Triggers, their ConfigMaps, KafkaSources, EventPolicies and config-features
 * from YAML sources; other kinds are ignored.
 * @throws ManifestError naming every invalid resource
 */
export function parseManifests(sources: ManifestSource[]): Manifests {
  const problems: string[] = [];
  const warnings: string[] = [];
  const brokers: z.infer<typeof brokerSchema>[] = [];
  const triggers: z.infer<typeof triggerSchema>[] = [];
  const kafkaSources: z.infer<typeof kafkaSourceSchema>[] = [];
  const configMaps = new Map<string, Record<string, string>>();
  const eventPolicies: EventPolicyManifest[] = [];

  for (const { file, text } of sources) {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) {
        problems.push(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
        continue;
      }
      const value = doc.toJS() as {
        kind?: unknown;
        metadata?: { name?: unknown; namespace?: unknown };
      } | null;
      if (!value || typeof value !== 'object') continue;
      const namespace = String(value.metadata?.namespace ?? DEFAULT_NAMESPACE);
      const label = `${String(value.kind)} ${namespace}/${String(value.metadata?.name ?? '(unnamed)')} (${file})`;
      if (value.kind === 'Broker') {
        const parsed = brokerSchema.safeParse(value);
        if (parsed.success) brokers.push(parsed.data);
        else problems.push(`${label}: ${issues(parsed.error)}`);
      } else if (value.kind === 'Trigger') {
        const parsed = triggerSchema.safeParse(value);
        if (parsed.success) triggers.push(parsed.data);
        else problems.push(`${label}: ${issues(parsed.error)}`);
      } else if (value.kind === 'KafkaSource') {
        const parsed = kafkaSourceSchema.safeParse(value);
        if (parsed.success) kafkaSources.push(parsed.data);
        else problems.push(`${label}: ${issues(parsed.error)}`);
      } else if (value.kind === 'EventPolicy') {
        const parsed = eventPolicySchema.safeParse(value);
        if (!parsed.success) {
          problems.push(`${label}: ${issues(parsed.error)}`);
          continue;
        }
        try {
          eventPolicies.push(resolveEventPolicy(parsed.data, DEFAULT_NAMESPACE));
        } catch (error) {
          problems.push(`${label}: ${(error as Error).message}`);
        }
      } else if (value.kind === 'ConfigMap') {
        const parsed = configMapSchema.safeParse(value);
        if (!parsed.success) continue;
        const { name, namespace = DEFAULT_NAMESPACE } = parsed.data.metadata;
        configMaps.set(`${namespace}/${name}`, parsed.data.data);
      }
    }
  }

  let features: EventingFeatures = parseFeatures(undefined);
  try {
    features = parseFeatures(configMaps.get(FEATURES_CONFIG_MAP));
  } catch (error) {
    problems.push(`ConfigMap ${FEATURES_CONFIG_MAP}: ${(error as Error).message}`);
  }
  const result: Manifests = {
    brokers: [],
    triggers: [],
    kafkaSources: [],
    eventPolicies,
    features,
    warnings,
  };
  for (const broker of brokers) {
    const { name, namespace = DEFAULT_NAMESPACE, annotations = {} } = broker.metadata;
    const id = `Broker ${namespace}/${name}`;
    const brokerClass = annotations[BROKER_CLASS_ANNOTATION];
    if (brokerClass !== 'Kafka') {
      warnings.push(
        `${id} has broker class ${brokerClass ?? '(none)'}, not Kafka: the local broker skips it`,
      );
      continue;
    }
    const config = broker.spec.config;
    if (!config) {
      problems.push(`${id}: spec.config must reference the ConfigMap with the topic settings`);
      continue;
    }
    const configKey = `${config.namespace ?? namespace}/${config.name}`;
    const data = configMaps.get(configKey);
    if (!data) {
      problems.push(
        `${id}: spec.config references ConfigMap ${configKey}, which is not in the manifests`,
      );
      continue;
    }
    const partitions = positiveInt(data['default.topic.partitions']);
    const replicationFactor = positiveInt(data['default.topic.replication.factor']);
    const bootstrapServers = data['bootstrap.servers'];
    if (partitions === undefined || replicationFactor === undefined || !bootstrapServers) {
      problems.push(
        `${id}: ConfigMap ${configKey} needs default.topic.partitions and default.topic.replication.factor (positive integers) and bootstrap.servers`,
      );
      continue;
    }
    result.brokers.push({
      namespace,
      name,
      topic: `knative-broker-${namespace}-${name}`,
      partitions,
      replicationFactor,
      bootstrapServers,
      ...(broker.spec.delivery ? { delivery: broker.spec.delivery } : {}),
    });
  }

  const known = new Set(result.brokers.map((b) => `${b.namespace}/${b.name}`));
  const seen = new Set<string>();
  for (const trigger of triggers) {
    const { name, namespace = DEFAULT_NAMESPACE, annotations = {} } = trigger.metadata;
    const id = `Trigger ${namespace}/${name}`;
    if (seen.has(`${namespace}/${name}`)) {
      problems.push(`${id}: defined twice`);
      continue;
    }
    seen.add(`${namespace}/${name}`);
    const filterErrors = validateTriggerFilters(trigger.spec);
    if (filterErrors.length > 0) {
      problems.push(`${id}: ${filterErrors.join('; ')}`);
      continue;
    }
    const order = annotations[DELIVERY_ORDER_ANNOTATION];
    if (order !== undefined && !['ordered', 'unordered'].includes(order.toLowerCase())) {
      problems.push(
        `${id}: annotation ${DELIVERY_ORDER_ANNOTATION} is ${order}; allowed values are ordered and unordered`,
      );
      continue;
    }
    if (!known.has(`${namespace}/${trigger.spec.broker}`)) {
      warnings.push(
        `${id} subscribes to Broker ${namespace}/${trigger.spec.broker}, which is not a Kafka broker in the manifests: skipped`,
      );
      continue;
    }
    result.triggers.push({
      namespace,
      name,
      broker: trigger.spec.broker,
      subscriber: trigger.spec.subscriber,
      ...(trigger.spec.filter ? { filter: trigger.spec.filter } : {}),
      ...(trigger.spec.filters ? { filters: trigger.spec.filters } : {}),
      ...(trigger.spec.delivery ? { delivery: trigger.spec.delivery } : {}),
      ordered: order?.toLowerCase() === 'ordered',
    });
  }

  result.kafkaSources = kafkaSourceManifests(kafkaSources, problems);
  if (problems.length > 0) throw new ManifestError(problems);
  return result;
}

/** Applies the KafkaSource webhook's defaults and refuses what the local broker cannot honour. */
function kafkaSourceManifests(
  sources: z.infer<typeof kafkaSourceSchema>[],
  problems: string[],
): KafkaSourceManifest[] {
  const result: KafkaSourceManifest[] = [];
  const seen = new Set<string>();
  const groups = new Map<string, string>();
  for (const source of sources) {
    const { name, namespace = DEFAULT_NAMESPACE, annotations = {}, labels = {} } = source.metadata;
    const id = `KafkaSource ${namespace}/${name}`;
    const own: string[] = [];
    if (seen.has(`${namespace}/${name}`)) own.push('defined twice');
    seen.add(`${namespace}/${name}`);
    if (annotations[DELIVERY_ORDER_ANNOTATION] !== undefined) {
      own.push(
        `annotation ${DELIVERY_ORDER_ANNOTATION} is read on Triggers only; a KafkaSource's order is spec.ordering (default ordered)`,
      );
    }
    const keyType = labels[KAFKA_KEY_TYPE_LABEL];
    if (keyType !== undefined && keyType !== 'string') {
      own.push(
        `label ${KAFKA_KEY_TYPE_LABEL}: ${keyType} keys are not implemented by the local broker (string only)`,
      );
    }
    try {
      oidcServiceAccountName('sources.knative.dev', 'KafkaSource', name);
    } catch (error) {
      own.push((error as Error).message);
    }
    const consumerGroup = source.spec.consumerGroup ?? `knative-kafka-source-${namespace}-${name}`;
    const sharing = groups.get(consumerGroup);
    if (sharing) {
      // Two sources in one group would split the topics' partitions between them.
      own.push(`spec.consumerGroup ${consumerGroup} is also the consumer group of ${sharing}`);
    }
    groups.set(consumerGroup, id);
    if (own.length > 0) {
      problems.push(`${id}: ${own.join('; ')}`);
      continue;
    }
    const { spec } = source;
    result.push({
      namespace,
      name,
      topics: [...new Set(spec.topics)],
      bootstrapServers: spec.bootstrapServers,
      consumerGroup,
      initialOffset: spec.initialOffset ?? 'latest',
      ordered: (spec.ordering ?? 'ordered') === 'ordered',
      sink: spec.sink,
      ...(spec.delivery && { delivery: spec.delivery }),
      extensions: spec.ceOverrides?.extensions ?? {},
    });
  }
  return result;
}

/**
 * Reads every `*.yaml`/`*.yml` file of a folder (kustomization.yaml aside).
 * @example const { brokers, triggers } = loadManifests('knative/eventing');
 */
export function loadManifests(dir: string): Manifests {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f))
    .sort();
  return parseManifests(files.map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') })));
}
