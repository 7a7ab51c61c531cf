// messaging_kafka_consumer_lag: how far each Trigger's consumer group is behind its broker's
// topic, read from Kafka at scrape time (end offsets minus committed offsets, summed over the
// partitions), as Knative's Kafka data plane's consumer-lag metric does for its dispatchers.
import type { KafkaClient, Logger, ServiceMetrics } from '@shop/shared';
import { metricCatalog } from '@shop/shared/telemetry/metric-catalog';
import { Gauge } from 'prom-client';

const LAG = metricCatalog.kafkaConsumerLag;

/** One consumer group on the topic it reads. */
export interface LaggingGroup {
  /** Namespace of its Trigger (the broker serves several, so it sets the target label itself). */
  namespace: string;
  groupId: string;
  topic: string;
}

export interface ConsumerLag {
  /** The groups to report from now on (the Triggers once they are resolved). */
  watch(groups: readonly LaggingGroup[]): void;
}

/**
 * Records of a group's topic it has not committed yet: per partition the end offset minus the
 * committed offset (the log start where it committed none, as a group starting at `earliest`
 * would read from there), never below 0, summed.
 * @example await lagOf(kafka, 'knative-trigger-shop-cart', 'knative-broker-shop-default') // 3
 */
export async function lagOf(kafka: KafkaClient, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  const [ends, commits] = await Promise.all([
    admin.topicOffsets(topic),
    admin.committedOffsets(groupId, topic),
  ]);
  const committed = new Map(commits.map((c) => [c.partition, c.offset]));
  let lag = 0n;
  for (const { partition, low, high } of ends) {
    const from = BigInt(committed.get(partition) ?? low);
    if (BigInt(high) > from) lag += BigInt(high) - from;
  }
  return Number(lag);
}

/**
 * Registers `messaging_kafka_consumer_lag{messaging_consumer_group_name, messaging_destination_name}`
 * on the broker's registry, read at each scrape within `timeoutMs`; a group whose offsets cannot
 * be read then reports NaN (unknown, not 0) and the failure is logged.
 * @example const lag = registerConsumerLag({ kafka, metrics, log }); lag.watch([{ namespace, groupId, topic }]);
 */
export function registerConsumerLag(options: {
  kafka: KafkaClient;
  metrics: ServiceMetrics;
  log: Logger;
  /** Longest a scrape waits for Kafka (default 2 s). */
  timeoutMs?: number;
}): ConsumerLag {
  const { kafka, log } = options;
  const timeoutMs = options.timeoutMs ?? 2_000;
  let groups: readonly LaggingGroup[] = [];
  new Gauge({
    name: LAG.prometheusName,
    help: LAG.help,
    labelNames: ['namespace', ...LAG.labels],
    registers: [options.metrics.registry],
    async collect() {
      this.reset();
      await Promise.all(
        groups.map(async ({ namespace, groupId, topic }) => {
          let timer: NodeJS.Timeout | undefined;
          const lag = await Promise.race([
            lagOf(kafka, groupId, topic),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`no answer in ${timeoutMs} ms`)),
                timeoutMs,
              );
            }),
          ])
            .catch((error: unknown) => {
              log.warn({ err: error, groupId, topic }, 'reading the consumer lag failed');
              return Number.NaN;
            })
            .finally(() => clearTimeout(timer));
          this.set(
            {
              namespace,
              messaging_consumer_group_name: groupId,
              messaging_destination_name: topic,
            },
            lag,
          );
        }),
      );
    },
  });
  return {
    watch(next) {
      groups = [...next];
    },
  };
}
