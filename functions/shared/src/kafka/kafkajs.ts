// The only file that imports kafkajs. Everything else speaks the interfaces of kafka-client.ts,
// so replacing the client library means rewriting this file (and its test) alone.
import kafkajs, {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type LogEntry as KafkajsLogEntry,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import type {
  ConsumedRecord,
  ConsumerGroup,
  ConsumerGroupHandler,
  ConsumerGroupOptions,
  KafkaAdmin,
  KafkaClient,
  KafkaProducer,
  ProducerOptions,
  ProducerRecord,
  RecordMetadata,
  SendOptions,
} from './kafka-client.js';
import { lingeringProducer } from './linger.js';
import { partitionForKey } from './partitioner.js';

const { CompressionTypes, Kafka, Partitioners, logLevel } = kafkajs;

export interface KafkajsClientOptions {
  /** Bootstrap servers: `host:port` list, or a comma-separated string as in `KAFKA_BROKERS`. */
  brokers: string | string[];
  clientId?: string;
  /** Receives kafkajs' warnings and errors. */
  log?: Logger;
  /** Milliseconds to open a connection (default 3000). */
  connectionTimeoutMs?: number;
  /** Consumer session timeout in ms (default 10000, as Knative's data plane). */
  sessionTimeoutMs?: number;
  /** Partitions of one topic a consumer handles at the same time (default 64). */
  partitionsConsumedConcurrently?: number;
}

const HEARTBEAT_EVERY_MS = 3_000;

// kafkajs' retry backoff for a producer given a delivery timeout, stated in full: kafkajs swaps
// in much shorter defaults when NODE_ENV is `test`, which made a send give up within two seconds
// under the test runner while it waits for minutes in production.
const SEND_BACKOFF = { initialRetryTime: 100, multiplier: 2, factor: 0.2, maxRetryTime: 5_000 };
const IDEMPOTENT_DELIVERY_TIMEOUT_MS = 120_000;

/** Retries whose nominal waits (the backoff above, without its jitter) add up to `deliveryTimeoutMs`. */
export function retriesWithin(deliveryTimeoutMs: number): number {
  let waited = 0;
  let wait = SEND_BACKOFF.initialRetryTime;
  let retries = 0;
  while (waited < deliveryTimeoutMs) {
    waited += wait;
    wait = Math.min(wait * SEND_BACKOFF.multiplier, SEND_BACKOFF.maxRetryTime);
    retries += 1;
  }
  return Math.max(1, retries);
}
const RESTART_DELAY_MS = 1_000;

function logCreator(log: Logger | undefined) {
  return () =>
    ({ namespace, level, log: entry }: KafkajsLogEntry) => {
      if (!log) return;
      const { message, ...extra } = entry;
      const line = { kafkajs: namespace, ...extra };
      if (level === logLevel.ERROR) log.error(line, message);
      else if (level === logLevel.WARN) log.warn(line, message);
      else log.debug(line, message);
    };
}

/** Runs `work` while calling `heartbeat` periodically, so a slow handler keeps its membership. */
// Errors a fresh or just-restarted Kafka answers while it elects leaders or loads the group
// coordinator (__consumer_offsets is created on first use): worth a short wait and another try.
const TRANSIENT_ERRORS = new Set([
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
]);

async function retryTransient<T>(work: () => Promise<T>, attempts = 40, delayMs = 250): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (attempt >= attempts || !type || !TRANSIENT_ERRORS.has(type)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

async function withHeartbeat<T>(heartbeat: () => Promise<void>, work: Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    heartbeat().catch(() => {
      // A failed heartbeat surfaces as a rebalance on the next fetch.
    });
  }, HEARTBEAT_EVERY_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

function toConsumedRecord(
  topic: string,
  partition: number,
  message: EachBatchPayload['batch']['messages'][number],
): ConsumedRecord {
  const headers: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined) continue;
    headers[name] = typeof first === 'string' ? Buffer.from(first, 'utf8') : first;
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    headers,
    timestamp: Number(message.timestamp),
  };
}

/**
 * The {@link KafkaClient} on a real cluster through kafkajs. Producers use kafkajs'
 * `DefaultPartitioner`, which hashes keys with murmur2 exactly as the Java client does (the
 * `LegacyPartitioner` does not); consumers never auto-commit.
 * @example const kafka = createKafkajsClient({ brokers: process.env.KAFKA_BROKERS!, clientId: 'broker', log });
 */
export function createKafkajsClient(options: KafkajsClientOptions): KafkaClient {
  const brokers =
    typeof options.brokers === 'string'
      ? options.brokers
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean)
      : options.brokers;
  const kafkaConfig = {
    brokers,
    clientId: options.clientId ?? 'shop',
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    logLevel: logLevel.WARN,
    logCreator: logCreator(options.log),
  };
  const kafka = new Kafka(kafkaConfig);
  const closers = new Set<() => Promise<void>>();

  let sharedAdmin: Promise<Admin> | undefined;
  const adminClient = (): Promise<Admin> => {
    sharedAdmin ??= (async () => {
      const admin = kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      sharedAdmin = undefined;
      throw error;
    });
    return sharedAdmin;
  };
  const closeAdmin = async () => {
    const admin = sharedAdmin;
    sharedAdmin = undefined;
    if (admin) await (await admin.catch(() => undefined))?.disconnect();
  };

  const partitionCounts = new Map<string, number>();
  const partitionCount = async (topic: string): Promise<number | undefined> => {
    const admin = await adminClient();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const count = topics[0]?.partitions.length;
      if (count !== undefined) partitionCounts.set(topic, count);
      return count;
    } catch (error) {
      if ((error as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return undefined;
      throw error;
    }
  };

  const producer = (producerOptions: ProducerOptions = {}): KafkaProducer => {
    const idempotent = producerOptions.idempotent ?? false;
    const deliveryTimeoutMs =
      producerOptions.deliveryTimeoutMs ??
      (idempotent ? IDEMPOTENT_DELIVERY_TIMEOUT_MS : undefined);
    // The retry goes to the producer's cluster too: a send that finds the broker gone reconnects
    // under the cluster's retry, and a reconnect given up fails the send however many retries
    // the send itself had left.
    const retry =
      deliveryTimeoutMs === undefined
        ? undefined
        : { ...SEND_BACKOFF, retries: retriesWithin(deliveryTimeoutMs) };
    const producerKafka = retry ? new Kafka({ ...kafkaConfig, retry }) : kafka;
    const makeClient = (): Producer =>
      producerKafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        idempotent,
        // kafkajs requires acks all and at most 5 in-flight requests for idempotence (it keeps order).
        ...(idempotent && { maxInFlightRequests: 5 }),
        ...(retry && { retry }),
      });
    let client = makeClient();
    const compression =
      producerOptions.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    let connected: Promise<void> | undefined;
    const connect = () => {
      connected ??= client.connect().catch((error: unknown) => {
        connected = undefined;
        throw error;
      });
      return connected;
    };
    const close = async () => {
      if (connected) await client.disconnect();
      connected = undefined;
    };
    closers.add(close);
    let roundRobin = 0;

    const sendNow = async (
      topic: string,
      records: ProducerRecord[],
      sendOptions: SendOptions = {},
    ): Promise<RecordMetadata[]> => {
      await connect();
      // One record: the response names its partition and offset. Several: pin the partition
      // of each record first so the per-partition base offsets map back to records.
      let partitions: number[] | undefined;
      let messages = records;
      if (records.length > 1) {
        const count = partitionCounts.get(topic) ?? (await partitionCount(topic));
        if (count === undefined) throw new Error(`topic ${topic} does not exist`);
        partitions = records.map((r) =>
          r.partition !== undefined
            ? r.partition
            : r.key !== null
              ? partitionForKey(r.key, count)
              : roundRobin++ % count,
        );
        messages = records.map((r, i) =>
          r.key === null ? { ...r, partition: partitions![i] } : r,
        );
      }
      const result = await client.send({
        topic,
        acks: idempotent ? -1 : (sendOptions.acks ?? -1),
        timeout: sendOptions.timeoutMs ?? 30_000,
        compression,
        messages: messages.map((r: ProducerRecord) => ({
          key: r.key,
          value: r.value,
          headers: r.headers,
          ...(r.partition !== undefined ? { partition: r.partition } : {}),
        })),
      });
      const next = new Map<number, bigint>();
      for (const entry of result) next.set(entry.partition, BigInt(entry.baseOffset ?? '-1'));
      return records.map((_, i): RecordMetadata => {
        const partition = partitions ? partitions[i]! : result[0]!.partition;
        const offset = next.get(partition) ?? -1n;
        next.set(partition, offset + 1n);
        return { topic, partition, offset: offset.toString() };
      });
    };

    // kafkajs' idempotent producer numbers a batch when it sends it and, when the send fails,
    // winds the partition's sequence back. A failed send may still have been written (its
    // acknowledgement lost), so the next batch would carry the same numbers and the broker would
    // drop it as a duplicate while answering success: records lost behind an acknowledgement.
    // So an idempotent producer sends one request at a time (kafkajs' per-broker lock already
    // did), and a failed send retires its kafkajs producer: what comes after goes out on a new
    // one (a new producer id), never on the numbers of the failed one. The caller of the failed
    // send gets the error and decides (a retry is then at least once, under the same ids).
    let queue: Promise<unknown> = Promise.resolve();
    const sendInTurn: typeof sendNow = (topic, records, sendOptions) => {
      const turn = queue.then(() =>
        sendNow(topic, records, sendOptions).catch(async (error: unknown) => {
          const retired = client;
          const wasConnected = connected;
          client = makeClient();
          connected = undefined;
          if (wasConnected) await retired.disconnect().catch(() => {});
          throw error;
        }),
      );
      queue = turn.catch(() => {});
      return turn;
    };

    const direct: KafkaProducer = {
      send: (topic, records, sendOptions) =>
        idempotent ? sendInTurn(topic, records, sendOptions) : sendNow(topic, records, sendOptions),
      close: async () => {
        await queue;
        await close();
      },
    };
    const lingerMs = producerOptions.lingerMs ?? 0;
    return lingerMs > 0 ? lingeringProducer(direct, lingerMs) : direct;
  };

  const consumerGroup = (groupOptions: ConsumerGroupOptions): ConsumerGroup => {
    const { groupId, topic } = groupOptions;
    let consumer: Consumer | undefined;
    let handler: ConsumerGroupHandler | undefined;
    let running = false;
    let restartTimer: NodeJS.Timeout | undefined;

    const pinLatestOffsets = () => retryTransient(pinLatestOffsetsOnce);
    const pinLatestOffsetsOnce = async () => {
      const admin = await adminClient();
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const partitions = committed?.partitions ?? [];
      if (partitions.some((p) => p.offset !== '-1')) return;
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      });
    };

    const scheduleRestart = (previous: Consumer) => {
      clearTimeout(restartTimer);
      restartTimer = setTimeout(async () => {
        await previous.disconnect().catch(() => {});
        if (!running) return;
        try {
          await start();
        } catch (error) {
          options.log?.warn({ groupId, err: error }, 'consumer restart failed; trying again');
          if (running && consumer) scheduleRestart(consumer);
        }
      }, RESTART_DELAY_MS);
    };

    const start = async (): Promise<void> => {
      const current = kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: options.sessionTimeoutMs ?? 10_000,
        heartbeatInterval: HEARTBEAT_EVERY_MS,
        maxWaitTimeInMs: 500,
        retry: { retries: 5, restartOnFailure: async () => true },
      });
      consumer = current;
      current.on(current.events.GROUP_JOIN, ({ payload }) => {
        const assigned = payload.memberAssignment[topic] ?? [];
        current.resume([{ topic, partitions: assigned }]);
        handler?.onAssigned?.(assigned);
      });
      current.on(current.events.CRASH, ({ payload }) => {
        // kafkajs restarts after retriable crashes itself; after the others it gives up, but
        // a broker that outlives a Kafka outage must keep consuming.
        if (payload.restart || !running) return;
        options.log?.warn({ groupId, err: payload.error }, 'consumer crashed; restarting');
        scheduleRestart(current);
      });
      await current.connect();
      await current.subscribe({ topic, fromBeginning: true });
      await current.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 64,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          if (!isRunning() || isStale() || !handler) return;
          const records = batch.messages.map((m) =>
            toConsumedRecord(batch.topic, batch.partition, m),
          );
          if (records.length > 0) {
            await withHeartbeat(
              heartbeat,
              handler.onBatch({ topic: batch.topic, partition: batch.partition, records }),
            );
          }
          resolveOffset(batch.lastOffset());
        },
      });
    };

    const group: ConsumerGroup = {
      async run(groupHandler) {
        if (running) throw new Error('this consumer group member is already running');
        handler = groupHandler;
        running = true;
        closers.add(group.stop);
        try {
          if (groupOptions.startAt === 'latest') await pinLatestOffsets();
          // A topic created a moment ago can be missing from a broker's metadata still
          // (UNKNOWN_TOPIC_OR_PARTITION on subscribe): a short wait and another member.
          await retryTransient(async () => {
            try {
              await start();
            } catch (error) {
              await consumer?.disconnect().catch(() => {});
              throw error;
            }
          });
        } catch (error) {
          running = false;
          closers.delete(group.stop);
          await consumer?.disconnect().catch(() => {});
          throw error;
        }
      },
      pause(partitions) {
        consumer?.pause([{ topic, partitions }]);
      },
      resume(partitions) {
        consumer?.resume([{ topic, partitions }]);
      },
      async commit(offsets) {
        if (!consumer) throw new Error('the consumer group is not running');
        await consumer.commitOffsets(offsets.map((o) => ({ topic, ...o })));
      },
      async stop() {
        if (!running) return;
        running = false;
        clearTimeout(restartTimer);
        closers.delete(group.stop);
        await consumer?.disconnect();
      },
    };
    return group;
  };

  const admin = (): KafkaAdmin => ({
    async createTopic({ topic, partitions, replicationFactor }) {
      const client = await adminClient();
      // A retry after a half-finished attempt finds the topic there and answers false.
      const created = await retryTransient(() =>
        client.createTopics({
          topics: [{ topic, numPartitions: partitions, replicationFactor }],
          waitForLeaders: true,
        }),
      );
      partitionCounts.delete(topic);
      return created;
    },
    async deleteTopic(topic) {
      const client = await adminClient();
      await client.deleteTopics({ topics: [topic] });
      partitionCounts.delete(topic);
    },
    partitionCount,
    async brokerCount() {
      const client = await adminClient();
      return (await client.describeCluster()).brokers.length;
    },
    async topicOffsets(topic) {
      const client = await adminClient();
      const offsets = await retryTransient(() => client.fetchTopicOffsets(topic));
      return offsets
        .map(({ partition, low, high }) => ({ partition, low, high }))
        .sort((a, b) => a.partition - b.partition);
    },
    async committedOffsets(groupId, topic) {
      const client = await adminClient();
      // A fresh cluster loads the group coordinator on first use.
      const [committed] = await retryTransient(() =>
        client.fetchOffsets({ groupId, topics: [topic] }),
      );
      return (committed?.partitions ?? [])
        .map(({ partition, offset }) => ({ partition, offset: offset === '-1' ? null : offset }))
        .sort((a, b) => a.partition - b.partition);
    },
  });

  return {
    kind: 'kafkajs',
    producer,
    consumerGroup,
    admin,
    async ping() {
      const client = await adminClient();
      await client.describeCluster();
    },
    async close() {
      await Promise.allSettled([...closers].map((close) => close()));
      closers.clear();
      await closeAdmin();
    },
  };
}
