import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEventSenderVerifier,
  createKafkajsClient,
  createMemoryKafka,
  createMetrics,
  type EventSenderVerifier,
  functionAudience,
  type KafkaClient,
  Lifecycle,
  type Logger,
  Problem,
  type RunningServer,
  serve,
} from '@shop/shared';
import {
  type BrokerEvent,
  fromKafkaRecord,
  toKafkaRecord,
  validateAttributes,
} from './cloudevent.js';
import { registerConsumerLag } from './consumer-lag.js';
import {
  type Destination,
  type EgressConfig,
  egressConfigFromDelivery,
  mergeEgressConfig,
} from './delivery.js';
import {
  Dispatcher,
  type DispatcherOptions,
  type ResolvedEgress,
  type ResolvedTrigger,
} from './dispatcher.js';
import { allowedSenders, type EventingFeatures } from './event-policies.js';
import { compileTriggerFilter } from './filters.js';
import { createBrokerApp } from './ingress.js';
import { kafkaSourceEvent } from './kafka-source.js';
import {
  type BrokerManifest,
  type KafkaSourceManifest,
  loadManifests,
  type Manifests,
} from './manifests.js';
import { createBrokerMetrics, startTriggerSeries } from './metrics.js';
import {
  createOidcIssuer,
  createTokenCache,
  JWKS_PATH,
  type OidcIssuer,
  oidcServiceAccountName,
  resourceAudience,
  type TokenRequest,
} from './oidc.js';

export interface StartBrokerOptions {
  /** Folder of the Knative Eventing manifests (Brokers, Triggers, ConfigMaps), e.g. knative/eventing. */
  manifestsDir: string;
  /** Kafka bootstrap servers (`KAFKA_BROKERS`); without them the broker runs on the in-memory log. */
  kafkaBrokers?: string;
  /** A Kafka client to use instead (tests: a failing one, or a memory log shared across restarts). */
  kafka?: KafkaClient;
  /** HTTP port of the ingress (8070 locally; 0 picks a free one). */
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  hostname?: string;
  /** URL of a Knative Service or Kubernetes Service the manifests reference. */
  resolveService(name: string, namespace: string): URL | string;
  /**
   * Knative Services not running here (`npm run dev` without a site): the Triggers delivering
   * to them are left out, with a log line, rather than retried and dead-lettered.
   */
  absentServices?: readonly string[];
  log: Logger;
  /** Unordered deliveries in flight per Trigger (default 50, Knative's `max.poll.records`). */
  maxInFlight?: number;
  /** Handle SIGTERM/SIGINT itself (default false: the caller stops the broker). */
  handleSignals?: boolean;
  /**
   * The OIDC issuer standing in for the cluster's (with `authentication-oidc` enabled in the
   * manifests): default one made at start whose `iss` is the broker's URL. Pass one made
   * beforehand when subscribers must trust it before the broker listens.
   */
  oidc?: OidcIssuer;
  /**
   * KafkaSource topics that do not exist yet: `create` them (dev and tests, default) with
   * `sourceTopicPartitions` partitions, or `wait` for whoever provisions them (checked every
   * second; the source starts consuming once its topic exists).
   */
  sourceTopics?: 'create' | 'wait';
  /** Partitions of a KafkaSource topic the broker creates (default 6, as redirect creates its topic). */
  sourceTopicPartitions?: number;
}

export interface RunningBroker {
  /** Base URL of the ingress, e.g. http://127.0.0.1:8070. */
  url: string;
  port: number;
  /** The ingress URL of one broker: `<url>/<namespace>/<name>`. */
  ingressUrl(namespace: string, name: string): string;
  manifests: Manifests;
  kafka: KafkaClient;
  /** The dev OIDC issuer: its discovery document and keys are served at `url`. */
  oidc: OidcIssuer;
  /** Where the issuer's keys are served: `<url>/openid/v1/jwks`. */
  jwksUrl: string;
  /**
   * The token a publishing function presents to a broker (default `shop/default`): the identity
   * of its SinkBinding, named after the function (`<service>-oidc-sources.knative.dev-sinkbinding`),
   * for the broker's audience. What the SinkBinding's `/oidc/token` holds in the cluster.
   */
  publisherToken(service: string, broker?: { namespace: string; name: string }): string;
  /**
   * The event settings of a function in dev, as the cluster gives them: `K_SINK` and
   * `K_SINK_OIDC_TOKEN_FILE` (a file this broker writes and renews until it stops), and for
   * /events `EVENTS_OIDC_ISSUER`, `EVENTS_OIDC_JWKS_URL`, `EVENTS_OIDC_AUDIENCE` and
   * `EVENTS_ALLOWED_SENDERS` (from the EventPolicies that apply to its Service).
   */
  eventEnv(
    service: string,
    options?: { namespace?: string; broker?: string },
  ): Promise<Record<string, string>>;
  /**
   * Only what /events of `service` trusts (`EVENTS_OIDC_*`, `EVENTS_ALLOWED_SENDERS`): for a
   * subscriber that publishes nothing (the storefront), so no K_SINK and no token file.
   */
  subscriberEnv(service: string, options?: { namespace?: string }): Record<string, string>;
  /**
   * A file holding a token of service account `serviceAccount` (namespace `shop`) for
   * `audience`, written now and renewed before it expires until the broker stops: what a
   * projected service-account token volume holds in the cluster (the sites' token for the
   * gateway, `GATEWAY_TOKEN_FILE`).
   */
  workloadTokenFile(serviceAccount: string, audience: string): Promise<string>;
  /** Stops accepting events, stops the Triggers (finished deliveries committed), closes Kafka. */
  stop(): Promise<void>;
}

function resolveDestination(
  destination: Destination,
  namespace: string,
  context: {
    resolveService: StartBrokerOptions['resolveService'];
    ingressUrl: (ns: string, name: string) => string;
  },
): string {
  let base: URL | undefined;
  if (destination.ref) {
    const { apiVersion, kind, name } = destination.ref;
    const refNamespace = destination.ref.namespace ?? namespace;
    const group = apiVersion.split('/')[0];
    if (kind === 'Service' && (group === 'serving.knative.dev' || apiVersion === 'v1')) {
      base = new URL(String(context.resolveService(name, refNamespace)));
    } else if (kind === 'Broker' && group === 'eventing.knative.dev') {
      base = new URL(context.ingressUrl(refNamespace, name));
    } else {
      throw new Error(
        `cannot resolve a ref to ${apiVersion} ${kind} locally (Services and Brokers only)`,
      );
    }
  }
  if (destination.uri === undefined) return base!.toString();
  // Knative resolves a uri next to a ref as a reference relative to the ref's address.
  return new URL(destination.uri, base).toString();
}

/**
 * The OIDC audience the dispatcher requests a token for: the Destination's `audience`, else the
 * one a Broker publishes in its status (`eventing.knative.dev/broker/<ns>/<name>`); none for a
 * Service without `audience` (Knative Serving publishes no audience, so no token is sent).
 */
function audienceOf(destination: Destination | undefined, namespace: string): string | undefined {
  if (!destination) return undefined;
  if (destination.audience) return destination.audience;
  const ref = destination.ref;
  if (ref?.kind === 'Broker' && ref.apiVersion.split('/')[0] === 'eventing.knative.dev') {
    return resourceAudience('eventing.knative.dev', 'Broker', ref.namespace ?? namespace, ref.name);
  }
  return undefined;
}

/** The delivery settings of every Trigger, as the control plane merges them. */
function resolveTriggers(
  manifests: Manifests,
  context: Parameters<typeof resolveDestination>[2],
  token?: (request: TokenRequest) => string,
): ResolvedTrigger[] {
  const problems: string[] = [];
  const brokerEgress = new Map<string, EgressConfig | undefined>();
  for (const broker of manifests.brokers) {
    try {
      brokerEgress.set(
        `${broker.namespace}/${broker.name}`,
        egressConfigFromDelivery(broker.delivery, (d) =>
          resolveDestination(d, broker.namespace, context),
        ),
      );
    } catch (error) {
      problems.push(`Broker ${broker.namespace}/${broker.name}: ${(error as Error).message}`);
    }
  }
  const triggers: ResolvedTrigger[] = [];
  for (const trigger of manifests.triggers) {
    const { namespace, name } = trigger;
    try {
      const brokerKey = `${namespace}/${trigger.broker}`;
      const own = egressConfigFromDelivery(trigger.delivery, (d) =>
        resolveDestination(d, namespace, context),
      );
      triggers.push({
        namespace,
        name,
        kind: 'Trigger',
        metricLabel: name,
        broker: brokerKey,
        subscriber: resolveDestination(trigger.subscriber, namespace, context),
        filter: compileTriggerFilter(trigger),
        egress: mergeEgressConfig(own, brokerEgress.get(brokerKey)),
        ordered: trigger.ordered,
        consumerGroup: `knative-trigger-${namespace}-${name}`,
        ...(token && {
          oidc: triggerOidc(manifests, trigger, token),
        }),
      });
    } catch (error) {
      problems.push(`Trigger ${namespace}/${name}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0)
    throw new Error(`Cannot resolve the Knative manifests:\n  - ${problems.join('\n  - ')}`);
  return triggers;
}

/** A Trigger's OIDC identity (`<name>-oidc-eventing.knative.dev-trigger`) and audiences. */
function triggerOidc(
  manifests: Manifests,
  trigger: Manifests['triggers'][number],
  token: (request: TokenRequest) => string,
): NonNullable<ResolvedTrigger['oidc']> {
  const { namespace } = trigger;
  const serviceAccount = oidcServiceAccountName('eventing.knative.dev', 'Trigger', trigger.name);
  const broker = manifests.brokers.find(
    (b) => b.namespace === namespace && b.name === trigger.broker,
  );
  // MergeEgressConfig: the Trigger's dead-letter sink, else the Broker's.
  const deadLetter = trigger.delivery?.deadLetterSink ?? broker?.delivery?.deadLetterSink;
  const subscriberAudience = audienceOf(trigger.subscriber, namespace);
  const deadLetterAudience = audienceOf(deadLetter, namespace);
  return {
    token: (audience) => token({ namespace, serviceAccount, audience }),
    ...(subscriberAudience && { subscriberAudience }),
    ...(deadLetterAudience && { deadLetterAudience }),
  };
}

/** The KafkaSource reconciler's delivery when `spec.delivery` is empty. */
const KAFKA_SOURCE_DEFAULT_DELIVERY = {
  retry: 10,
  backoffPolicy: 'exponential',
  backoffDelay: 'PT0.3S',
  timeout: 'PT600S',
} as const;
/** The consumer reconciler's default backoff delay (`EgressConfigFromDelivery(…, 200)`). */
const KAFKA_SOURCE_DEFAULT_BACKOFF_DELAY_MS = 200;

/** A KafkaSource as its dispatchers run it, one consumer group per topic. */
export interface ResolvedKafkaSource {
  manifest: KafkaSourceManifest;
  /** Per topic: the dispatcher's target (its consumer group included). */
  targets: { topic: string; target: ResolvedEgress }[];
}

/**
 * The local consumer group of one topic of a KafkaSource: the kit's consumer group reads one
 * topic, and members of one Kafka group reading different topics would be handed each other's
 * partitions by kafkajs' assigner, so each topic gets `<consumerGroup>.<topic>`.
 */
export function kafkaSourceGroup(source: KafkaSourceManifest, topic: string): string {
  return `${source.consumerGroup}.${topic}`;
}

/**
 * Resolves each KafkaSource's sink and delivery as the source and consumer reconcilers do: the
 * sink Destination (a `uri` next to a `ref` relative to it), `spec.delivery` on its own (no
 * Broker to merge with; 200 ms default backoff) or the reconciler's default, the OIDC identity
 * `<name>-oidc-sources.knative.dev-kafkasource` for the sink's and dead-letter sink's audiences.
 * A source whose sink cannot be resolved is left out and logged (Knative marks it not ready).
 */
function resolveKafkaSources(
  manifests: Manifests,
  context: Parameters<typeof resolveDestination>[2],
  log: Logger,
  token?: (request: TokenRequest) => string,
): ResolvedKafkaSource[] {
  const resolved: ResolvedKafkaSource[] = [];
  for (const source of manifests.kafkaSources) {
    const { namespace, name } = source;
    let subscriber: string;
    let egress: EgressConfig;
    try {
      subscriber = resolveDestination(source.sink, namespace, context);
      // Nothing to merge with (no Broker): merging with none turns "no config" into no retries.
      egress = mergeEgressConfig(
        egressConfigFromDelivery(
          source.delivery ?? KAFKA_SOURCE_DEFAULT_DELIVERY,
          (d) => resolveDestination(d, namespace, context),
          KAFKA_SOURCE_DEFAULT_BACKOFF_DELAY_MS,
        ),
        undefined,
      );
    } catch (error) {
      log.error(
        { kafkaSource: `${namespace}/${name}`, err: error },
        'KafkaSource not started: its sink or dead-letter sink cannot be resolved',
      );
      continue;
    }
    const serviceAccount = oidcServiceAccountName('sources.knative.dev', 'KafkaSource', name);
    const subscriberAudience = audienceOf(source.sink, namespace);
    const deadLetterAudience = audienceOf(source.delivery?.deadLetterSink, namespace);
    const oidc: ResolvedEgress['oidc'] = token && {
      token: (audience) => token({ namespace, serviceAccount, audience }),
      ...(subscriberAudience && { subscriberAudience }),
      ...(deadLetterAudience && { deadLetterAudience }),
    };
    resolved.push({
      manifest: source,
      targets: source.topics.map((topic) => ({
        topic,
        target: {
          namespace,
          name,
          kind: 'KafkaSource',
          subscriber,
          egress,
          ordered: source.ordered,
          consumerGroup: kafkaSourceGroup(source, topic),
          metricLabel: `kafkasource/${name}`,
          ...(oidc && { oidc }),
        },
      })),
    });
  }
  return resolved;
}

/** The sender check of each broker's ingress, as the receiver's AuthVerifier does it. */
function brokerVerifiers(manifests: Manifests, oidc: OidcIssuer): Map<string, EventSenderVerifier> {
  const verifiers = new Map<string, EventSenderVerifier>();
  for (const broker of manifests.brokers) {
    const target = {
      group: 'eventing.knative.dev',
      kind: 'Broker',
      namespace: broker.namespace,
      name: broker.name,
    };
    verifiers.set(
      `${broker.namespace}/${broker.name}`,
      createEventSenderVerifier({
        issuer: oidc.issuer,
        jwks: oidc.jwks,
        audience: resourceAudience(target.group, target.kind, target.namespace, target.name),
        allowedSenders: allowedSenders(manifests.eventPolicies, manifests.features, target),
      }),
    );
  }
  return verifiers;
}

async function createTopic(kafka: KafkaClient, broker: BrokerManifest, log: Logger): Promise<void> {
  const admin = kafka.admin();
  const brokers = await admin.brokerCount();
  const replicationFactor = Math.min(broker.replicationFactor, brokers);
  if (replicationFactor < broker.replicationFactor) {
    log.warn(
      { topic: broker.topic, configured: broker.replicationFactor, brokers },
      'replication factor capped at the number of Kafka brokers',
    );
  }
  const created = await admin.createTopic({
    topic: broker.topic,
    partitions: broker.partitions,
    replicationFactor,
  });
  const partitions = await admin.partitionCount(broker.topic);
  if (!created && partitions !== broker.partitions) {
    log.warn(
      { topic: broker.topic, configured: broker.partitions, partitions },
      'topic exists with another partition count; keeping it',
    );
  }
}

/** Creates a KafkaSource topic unless it exists (dev: the producers may start after the broker). */
async function ensureSourceTopic(
  kafka: KafkaClient,
  topic: string,
  partitions: number,
  log: Logger,
): Promise<void> {
  const admin = kafka.admin();
  const replicationFactor = Math.min(3, await admin.brokerCount());
  if (await admin.createTopic({ topic, partitions, replicationFactor })) {
    log.info({ topic, partitions, replicationFactor }, 'created the topic of a KafkaSource');
  }
}

/** Resolves true once the topic exists (checked every second), false when aborted first. */
async function waitForTopic(
  kafka: KafkaClient,
  topic: string,
  signal: AbortSignal,
  log: Logger,
): Promise<boolean> {
  let logged = false;
  while (!signal.aborted) {
    const partitions = await kafka
      .admin()
      .partitionCount(topic)
      .catch(() => undefined);
    if (partitions !== undefined) return true;
    if (!logged) log.warn({ topic }, 'waiting for the topic of a KafkaSource to be created');
    logged = true;
    await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
  }
  return false;
}

/**
 * Starts the local Knative Kafka Broker: reads the manifests, creates one topic per Broker
 * (`knative-broker-<namespace>-<name>`), serves the ingress, and runs one consumer group per
 * Trigger (`knative-trigger-<namespace>-<name>`) delivering to its subscriber. On real Kafka
 * when `kafkaBrokers` is set, on the in-memory log otherwise.
 * @example
 * const broker = await startBroker({ manifestsDir: 'knative/eventing', port: 8070, log,
 *   kafkaBrokers: process.env.KAFKA_BROKERS, resolveService: (name) => `http://127.0.0.1:${ports[name]}` });
 */
export async function startBroker(options: StartBrokerOptions): Promise<RunningBroker> {
  const log = options.log;
  const manifests = loadManifests(options.manifestsDir);
  for (const warning of manifests.warnings) log.warn(warning);
  const absent = new Set(options.absentServices ?? []);
  if (absent.size > 0) {
    const left = manifests.triggers.filter((t) => absent.has(t.subscriber.ref?.name ?? ''));
    manifests.triggers = manifests.triggers.filter((t) => !left.includes(t));
    for (const t of left) {
      log.info(
        `Trigger ${t.namespace}/${t.name} left out: ${t.subscriber.ref?.name} is not running`,
      );
    }
  }

  // A client passed in belongs to the caller, who closes it; one made here is closed at stop.
  const ownsKafka = options.kafka === undefined;
  const kafka =
    options.kafka ??
    (options.kafkaBrokers
      ? createKafkajsClient({ brokers: options.kafkaBrokers, clientId: 'knative-broker', log })
      : createMemoryKafka());
  const metrics = createMetrics({ service: 'broker' });
  const brokerMetrics = createBrokerMetrics(metrics);
  const consumerLag = registerConsumerLag({ kafka, metrics, log });
  const lifecycle = new Lifecycle();
  const topics = new Map(manifests.brokers.map((b) => [`${b.namespace}/${b.name}`, b.topic]));
  const producer = kafka.producer();
  const dispatchers: Dispatcher[] = [];
  // KafkaSource topics being waited for (sourceTopics: 'wait'), stopped at shutdown.
  const topicWaits = new AbortController();
  let dispatching = false;
  const features: EventingFeatures = manifests.features;
  // The issuer's `iss` is the broker's URL unless one is given: known once it listens.
  let oidc: OidcIssuer | undefined = options.oidc;
  let verifiers: Map<string, EventSenderVerifier> | undefined = oidc
    ? brokerVerifiers(manifests, oidc)
    : undefined;

  // The one write path of ingress and replies: validated, binary mode, acks from all replicas.
  const write = async (broker: string, event: BrokerEvent) => {
    const topic = topics.get(broker);
    if (!topic) throw new Error(`no broker ${broker}`);
    validateAttributes(event.attributes);
    await producer.send(topic, [toKafkaRecord(event)], { acks: -1 });
  };

  let server: RunningServer | undefined;
  try {
    for (const broker of manifests.brokers) await createTopic(kafka, broker, log);
    const app = createBrokerApp({
      brokers: new Set(topics.keys()),
      write,
      log,
      metrics,
      brokerMetrics,
      lifecycle,
      readiness: {
        kafka: () => kafka.ping(),
        triggers: async () => {
          if (!dispatching) throw new Error('triggers are starting');
        },
      },
      oidc: () => oidc,
      ...(features.oidc && {
        authenticate: async (broker: string, request: Request) => {
          const verify = verifiers?.get(broker);
          if (!verify) throw new Problem(503, 'The broker is starting.');
          await verify(request);
        },
      }),
    });
    // Shutdown runs these in reverse: Triggers stop first, then Kafka closes.
    lifecycle.onShutdown('kafka', () => (ownsKafka ? kafka.close() : producer.close()));
    lifecycle.onShutdown('triggers', async () => {
      topicWaits.abort();
      await Promise.all(dispatchers.map((d) => d.stop()));
    });
    server = await serve(app, {
      port: options.port,
      hostname: options.hostname ?? '127.0.0.1',
      log,
      lifecycle,
      handleSignals: options.handleSignals ?? false,
      shutdownTimeoutMs: 10_000,
    });
    const url = `http://${options.hostname ?? '127.0.0.1'}:${server.port}`;
    const ingressUrl = (namespace: string, name: string) => `${url}/${namespace}/${name}`;
    if (!oidc) {
      oidc = createOidcIssuer({ issuer: url });
      verifiers = brokerVerifiers(manifests, oidc);
    }
    const issuer = oidc;
    const token = createTokenCache(issuer);
    const triggers = resolveTriggers(
      manifests,
      { resolveService: options.resolveService, ingressUrl },
      features.oidc ? token : undefined,
    );
    const sources = resolveKafkaSources(
      manifests,
      { resolveService: options.resolveService, ingressUrl },
      log,
      features.oidc ? token : undefined,
    );
    const sourceTargets = sources.flatMap((s) => s.targets.map((t) => ({ ...t, source: s })));
    startTriggerSeries(brokerMetrics, [
      ...triggers.map((t) => ({ namespace: t.namespace, name: t.metricLabel })),
      ...sources.map((s) => ({
        namespace: s.manifest.namespace,
        name: `kafkasource/${s.manifest.name}`,
      })),
    ]);
    consumerLag.watch([
      ...triggers.map((t) => ({
        namespace: t.namespace,
        groupId: t.consumerGroup,
        topic: topics.get(t.broker)!,
      })),
      ...sourceTargets.map(({ topic, target }) => ({
        namespace: target.namespace,
        groupId: target.consumerGroup,
        topic,
      })),
    ]);
    const startDispatcher = async (
      spec: Omit<DispatcherOptions, 'kafka' | 'log' | 'metrics' | 'maxInFlight'>,
    ) => {
      const dispatcher = new Dispatcher({
        kafka,
        log,
        metrics: brokerMetrics,
        maxInFlight: options.maxInFlight ?? 50,
        ...spec,
      });
      dispatchers.push(dispatcher);
      await dispatcher.start();
      const { target } = spec;
      log.info(
        {
          [target.kind === 'Trigger' ? 'trigger' : 'kafkaSource']:
            `${target.namespace}/${target.name}`,
          topic: spec.topic,
          consumerGroup: target.consumerGroup,
          subscriber: target.subscriber,
          ordered: target.ordered,
          egress: target.egress,
        },
        `${target.kind === 'Trigger' ? 'trigger' : 'KafkaSource'} started`,
      );
    };
    const startSource = async ({ topic, target, source }: (typeof sourceTargets)[number]) => {
      await startDispatcher({
        topic,
        target,
        startAt: source.manifest.initialOffset,
        eventOf: (record) => kafkaSourceEvent(record, source.manifest),
      });
    };
    // Consumer groups join in parallel: each join takes a few seconds on a real cluster.
    await Promise.all([
      ...triggers.map((trigger) =>
        startDispatcher({
          topic: topics.get(trigger.broker)!,
          target: trigger,
          startAt: 'latest',
          eventOf: fromKafkaRecord,
          filter: trigger.filter,
          reply: (event) => write(trigger.broker, event),
        }),
      ),
      ...sourceTargets.map(async (entry) => {
        if ((options.sourceTopics ?? 'create') === 'create') {
          await ensureSourceTopic(kafka, entry.topic, options.sourceTopicPartitions ?? 6, log);
          await startSource(entry);
          return;
        }
        // Waiting does not hold the start up: the source joins once its topic appears.
        void waitForTopic(kafka, entry.topic, topicWaits.signal, log)
          .then((exists) => (exists && !topicWaits.signal.aborted ? startSource(entry) : undefined))
          .catch((error: unknown) =>
            log.error(
              { err: error, kafkaSource: `${entry.target.namespace}/${entry.target.name}` },
              'KafkaSource did not start',
            ),
          );
      }),
    ]);
    dispatching = true;
    log.info(
      {
        url,
        kafka: kafka.kind,
        brokers: [...topics.keys()],
        triggers: triggers.length,
        kafkaSources: sources.length,
        authenticationOidc: features.oidc,
        ...(features.oidc && {
          issuer: issuer.issuer,
          defaultAuthorizationMode: features.defaultAuthorizationMode,
        }),
      },
      'broker ready',
    );
    const running = server;
    const publisherToken = (
      service: string,
      broker: { namespace: string; name: string } = { namespace: 'shop', name: 'default' },
    ) =>
      token({
        namespace: broker.namespace,
        serviceAccount: oidcServiceAccountName('sources.knative.dev', 'SinkBinding', service),
        audience: resourceAudience('eventing.knative.dev', 'Broker', broker.namespace, broker.name),
      });
    // Token files of dev publishers, rewritten before they expire as the SinkBinding renews its
    // Secret; removed at stop.
    let tokenDir: string | undefined;
    const tokenFiles = new Map<string, () => string>();
    const renewal = setInterval(() => {
      for (const [file, mint] of tokenFiles) void writeFile(file, mint()).catch(() => {});
    }, 10 * 60_000);
    renewal.unref();
    lifecycle.onShutdown('oidc-token-files', async () => {
      clearInterval(renewal);
      if (tokenDir) await rm(tokenDir, { recursive: true, force: true });
    });
    const subscriberEnv: RunningBroker['subscriberEnv'] = (service, envOptions = {}) => {
      const namespace = envOptions.namespace ?? 'shop';
      const senders = allowedSenders(manifests.eventPolicies, features, {
        group: 'serving.knative.dev',
        kind: 'Service',
        namespace,
        name: service,
      });
      return {
        EVENTS_OIDC_ISSUER: issuer.issuer,
        EVENTS_OIDC_JWKS_URL: `${url}${JWKS_PATH}`,
        EVENTS_OIDC_AUDIENCE: functionAudience(service, namespace),
        EVENTS_ALLOWED_SENDERS: senders.join(','),
      };
    };
    const writeTokenFile = async (name: string, mint: () => string) => {
      tokenDir ??= await mkdtemp(join(tmpdir(), 'broker-oidc-'));
      const dir = join(tokenDir, name);
      await mkdir(dir, { recursive: true });
      const file = join(dir, 'token');
      await writeFile(file, mint());
      tokenFiles.set(file, mint);
      return file;
    };
    const workloadTokenFile: RunningBroker['workloadTokenFile'] = (serviceAccount, audience) =>
      writeTokenFile(`${serviceAccount}-for-${audience.replace(/[^\w.-]+/g, '_')}`, () =>
        token({ namespace: 'shop', serviceAccount, audience }),
      );
    const eventEnv: RunningBroker['eventEnv'] = async (service, envOptions = {}) => {
      const namespace = envOptions.namespace ?? 'shop';
      const sink = { namespace, name: envOptions.broker ?? 'default' };
      const env: Record<string, string> = {
        K_SINK: ingressUrl(sink.namespace, sink.name),
        ...subscriberEnv(service, { namespace }),
      };
      if (features.oidc) {
        env.K_SINK_OIDC_TOKEN_FILE = await writeTokenFile(service, () =>
          publisherToken(service, sink),
        );
      }
      return env;
    };
    return {
      url,
      port: running.port,
      ingressUrl,
      manifests,
      kafka,
      oidc: issuer,
      jwksUrl: `${url}${JWKS_PATH}`,
      publisherToken,
      eventEnv,
      subscriberEnv,
      workloadTokenFile,
      stop: () => running.shutdown('stop'),
    };
  } catch (error) {
    await Promise.allSettled(dispatchers.map((d) => d.stop()));
    if (server) await server.shutdown('start failed');
    else if (ownsKafka) await kafka.close();
    throw error;
  }
}
