import {
  createKafkajsClient,
  createMemoryKafka,
  createMetrics,
  type KafkaClient,
  Lifecycle,
  type Logger,
  type RunningServer,
  serve,
} from '@shop/shared';
import { type BrokerEvent, toKafkaRecord, validateAttributes } from './cloudevent.js';
import {
  type Destination,
  type EgressConfig,
  egressConfigFromDelivery,
  mergeEgressConfig,
} from './delivery.js';
import { type ResolvedTrigger, TriggerDispatcher } from './dispatcher.js';
import { compileTriggerFilter } from './filters.js';
import { createBrokerApp } from './ingress.js';
import { type BrokerManifest, loadManifests, type Manifests } from './manifests.js';
import { createBrokerMetrics } from './metrics.js';

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
  log: Logger;
  /** Unordered deliveries in flight per Trigger (default 50, Knative's `max.poll.records`). */
  maxInFlight?: number;
  /** Handle SIGTERM/SIGINT itself (default false: the caller stops the broker). */
  handleSignals?: boolean;
}

export interface RunningBroker {
  /** Base URL of the ingress, e.g. http://127.0.0.1:8070. */
  url: string;
  port: number;
  /** The ingress URL of one broker: `<url>/<namespace>/<name>`. */
  ingressUrl(namespace: string, name: string): string;
  manifests: Manifests;
  kafka: KafkaClient;
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

/** The delivery settings of every Trigger, as the control plane merges them. */
function resolveTriggers(
  manifests: Manifests,
  context: Parameters<typeof resolveDestination>[2],
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
        broker: brokerKey,
        subscriber: resolveDestination(trigger.subscriber, namespace, context),
        filter: compileTriggerFilter(trigger),
        egress: mergeEgressConfig(own, brokerEgress.get(brokerKey)),
        ordered: trigger.ordered,
        consumerGroup: `knative-trigger-${namespace}-${name}`,
      });
    } catch (error) {
      problems.push(`Trigger ${namespace}/${name}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0)
    throw new Error(`Cannot resolve the Knative manifests:\n  - ${problems.join('\n  - ')}`);
  return triggers;
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

  // A client passed in belongs to the caller, who closes it; one made here is closed at stop.
  const ownsKafka = options.kafka === undefined;
  const kafka =
    options.kafka ??
    (options.kafkaBrokers
      ? createKafkajsClient({ brokers: options.kafkaBrokers, clientId: 'knative-broker', log })
      : createMemoryKafka());
  const metrics = createMetrics({ service: 'broker' });
  const brokerMetrics = createBrokerMetrics(metrics);
  const lifecycle = new Lifecycle();
  const topics = new Map(manifests.brokers.map((b) => [`${b.namespace}/${b.name}`, b.topic]));
  const producer = kafka.producer();
  const dispatchers: TriggerDispatcher[] = [];
  let dispatching = false;

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
    });
    // Shutdown runs these in reverse: Triggers stop first, then Kafka closes.
    lifecycle.onShutdown('kafka', () => (ownsKafka ? kafka.close() : producer.close()));
    lifecycle.onShutdown('triggers', async () => {
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
    const triggers = resolveTriggers(manifests, {
      resolveService: options.resolveService,
      ingressUrl,
    });
    // Consumer groups join in parallel: each join takes a few seconds on a real cluster.
    await Promise.all(
      triggers.map(async (trigger) => {
        const dispatcher = new TriggerDispatcher({
          kafka,
          topic: topics.get(trigger.broker)!,
          trigger,
          reply: (event) => write(trigger.broker, event),
          log,
          metrics: brokerMetrics,
          maxInFlight: options.maxInFlight ?? 50,
        });
        dispatchers.push(dispatcher);
        await dispatcher.start();
        log.info(
          {
            trigger: `${trigger.namespace}/${trigger.name}`,
            subscriber: trigger.subscriber,
            ordered: trigger.ordered,
            egress: trigger.egress,
          },
          'trigger started',
        );
      }),
    );
    dispatching = true;
    log.info(
      { url, kafka: kafka.kind, brokers: [...topics.keys()], triggers: triggers.length },
      'broker ready',
    );
    const running = server;
    return {
      url,
      port: running.port,
      ingressUrl,
      manifests,
      kafka,
      stop: () => running.shutdown('stop'),
    };
  } catch (error) {
    await Promise.allSettled(dispatchers.map((d) => d.stop()));
    if (server) await server.shutdown('start failed');
    else if (ownsKafka) await kafka.close();
    throw error;
  }
}
