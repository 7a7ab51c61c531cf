// How a function gets its Kafka: kafkajs on KAFKA_BROKERS, else the process's embedded log; and
// the topics it writes to, created where it may (dev and tests; the cluster provisions them).
import type { Logger } from '../logger.js';
import type { KafkaClient } from './kafka-client.js';
import { createKafkajsClient } from './kafkajs.js';
import { sharedMemoryKafka } from './memory.js';

/**
 * kafkajs on `brokers` when set, else {@link sharedMemoryKafka} (what the local broker in the
 * same process reads).
 * @example const kafka = kafkaFor({ brokers: config.KAFKA_BROKERS, clientId: 'redirect', log });
 */
export function kafkaFor(options: {
  brokers: string | undefined;
  clientId: string;
  log?: Logger;
}): KafkaClient {
  return options.brokers
    ? createKafkajsClient({
        brokers: options.brokers,
        clientId: options.clientId,
        ...(options.log && { log: options.log }),
      })
    : sharedMemoryKafka();
}

/**
 * Creates `topics` (6 partitions, replicated up to 3 times as the cluster allows) when they do
 * not exist. A refusal (no right to create topics) is only logged: the sends then say whether a
 * topic exists.
 * @example await ensureTopics(kafka, ['shop-analytics'], log);
 */
export async function ensureTopics(
  kafka: KafkaClient,
  topics: readonly string[],
  log: Logger,
): Promise<void> {
  try {
    const admin = kafka.admin();
    const replicationFactor = Math.min(3, await admin.brokerCount());
    for (const topic of new Set(topics)) {
      await admin.createTopic({ topic, partitions: 6, replicationFactor });
    }
  } catch (error) {
    log.warn({ err: error, topics }, 'the topics were not created');
  }
}
