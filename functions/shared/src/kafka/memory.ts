import type {
  ConsumedRecord,
  ConsumerGroup,
  ConsumerGroupHandler,
  ConsumerGroupOptions,
  KafkaAdmin,
  KafkaClient,
  KafkaProducer,
  ProducerRecord,
  RecordMetadata,
} from './kafka-client.js';
import { partitionForKey } from './partitioner.js';

interface Partition {
  /** The records still kept; `records[0]` has offset `base`. */
  records: ConsumedRecord[];
  /** Offset of the oldest record kept: the log start offset, raised as retention drops records. */
  base: number;
  /** Fetch loops waiting for the next append. */
  waiters: Set<() => void>;
}

interface Topic {
  partitions: Partition[];
  /** Round-robin counter for records without a key. */
  next: number;
}

const toBuffer = (value: string | Buffer | null): Buffer | null =>
  value === null ? null : typeof value === 'string' ? Buffer.from(value, 'utf8') : value;

class UnknownTopicError extends Error {
  override name = 'UnknownTopicError';
  constructor(topic: string) {
    super(`This server does not host this topic-partition: ${topic}`);
  }
}

/** How long the memory log keeps a record: a topic's default `retention.ms` (7 days). */
export const MEMORY_KAFKA_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** Most records the memory log keeps per partition, so a long dev session stays bounded. */
export const MEMORY_KAFKA_MAX_RECORDS = 100_000;

export interface MemoryKafkaOptions {
  /** Records older than this go, as with a topic's `retention.ms` (default 7 days). */
  retentionMs?: number;
  /** Past this many records in a partition the oldest go (default 100,000). */
  maxRecordsPerPartition?: number;
  clock?: () => number;
}

/**
 * The embedded default {@link KafkaClient}: topics of partitioned, append-only logs with
 * offsets, consumer groups with committed offsets (starting at the latest offset or the
 * earliest, as asked), keyed partitioning identical to Kafka's, pause/resume and backpressure.
 * Everything lives in this object, so two brokers given the same instance share one log (a
 * "restart" keeps the data); nothing is durable across processes. Like a topic it has a
 * retention (7 days, and at most 100,000 records per partition): older records go at the next
 * append, and a consumer behind the log start reads on from the oldest record kept.
 * @example const kafka = createMemoryKafka(); await kafka.admin().createTopic({ topic: 't', partitions: 3, replicationFactor: 1 });
 */
export function createMemoryKafka(options: MemoryKafkaOptions = {}): KafkaClient {
  const retentionMs = options.retentionMs ?? MEMORY_KAFKA_RETENTION_MS;
  const maxRecords = options.maxRecordsPerPartition ?? MEMORY_KAFKA_MAX_RECORDS;
  const clock = options.clock ?? Date.now;
  const topics = new Map<string, Topic>();
  /** groupId → topic → partition → next offset to read. */
  const committed = new Map<string, Map<string, Map<number, number>>>();
  const activeMembers = new Set<string>();
  const groups = new Set<ConsumerGroup>();

  const topicOf = (name: string): Topic => {
    const topic = topics.get(name);
    if (!topic) throw new UnknownTopicError(name);
    return topic;
  };
  const offsetsOf = (groupId: string, topic: string): Map<number, number> => {
    let byTopic = committed.get(groupId);
    if (!byTopic) {
      byTopic = new Map();
      committed.set(groupId, byTopic);
    }
    let offsets = byTopic.get(topic);
    if (!offsets) {
      offsets = new Map();
      byTopic.set(topic, offsets);
    }
    return offsets;
  };

  const append = (topicName: string, record: ProducerRecord): RecordMetadata => {
    const topic = topicOf(topicName);
    const count = topic.partitions.length;
    let partitionIndex: number;
    if (record.partition !== undefined) {
      if (record.partition < 0 || record.partition >= count) {
        throw new Error(`partition ${record.partition} does not exist in ${topicName}`);
      }
      partitionIndex = record.partition;
    } else if (record.key !== null) {
      partitionIndex = partitionForKey(record.key, count);
    } else {
      partitionIndex = topic.next++ % count;
    }
    const partition = topic.partitions[partitionIndex]!;
    const headers: Record<string, Buffer> = {};
    for (const [name, value] of Object.entries(record.headers ?? {})) {
      headers[name] = toBuffer(value)!;
    }
    const now = clock();
    // Retention, as Kafka deletes old segments: by age, then by count.
    let drop = 0;
    while (
      drop < partition.records.length &&
      partition.records[drop]!.timestamp < now - retentionMs
    ) {
      drop++;
    }
    drop = Math.max(drop, partition.records.length + 1 - maxRecords);
    if (drop > 0) {
      partition.records.splice(0, drop);
      partition.base += drop;
    }
    const offset = String(partition.base + partition.records.length);
    partition.records.push({
      topic: topicName,
      partition: partitionIndex,
      offset,
      key: toBuffer(record.key),
      value: toBuffer(record.value),
      headers,
      timestamp: now,
    });
    const waiters = [...partition.waiters];
    partition.waiters.clear();
    for (const wake of waiters) wake();
    return { topic: topicName, partition: partitionIndex, offset };
  };

  const producer = (): KafkaProducer => ({
    async send(topic, records) {
      // Appended synchronously in one call, as one produce request is atomic per partition.
      return records.map((record) => append(topic, record));
    },
    async close() {},
  });

  const consumerGroup = (options: ConsumerGroupOptions): ConsumerGroup => {
    const maxBatch = options.maxBatchRecords ?? 500;
    const memberKey = `${options.groupId}\u0000${options.topic}`;
    const paused = new Set<number>();
    const resumeWaiters = new Map<number, () => void>();
    let running = false;
    let loops: Promise<void>[] = [];

    /** Wakes every fetch loop that waits, at stop. */
    const stopWaiters = new Set<() => void>();
    const wait = (register: (wake: () => void) => void) =>
      new Promise<void>((resolve) => {
        const wake = () => {
          stopWaiters.delete(wake);
          resolve();
        };
        stopWaiters.add(wake);
        register(wake);
      });

    const fetchLoop = async (index: number, handler: ConsumerGroupHandler, start: number) => {
      const partition = topicOf(options.topic).partitions[index]!;
      let position = start;
      while (running) {
        if (paused.has(index)) {
          await wait((wake) => resumeWaiters.set(index, wake));
          continue;
        }
        // Behind the log start (retention dropped those records): read on from the oldest kept.
        if (position < partition.base) position = partition.base;
        if (position >= partition.base + partition.records.length) {
          await wait((wake) => partition.waiters.add(wake));
          continue;
        }
        const from = position - partition.base;
        const records = partition.records.slice(from, from + maxBatch);
        position += records.length;
        await handler.onBatch({ topic: options.topic, partition: index, records });
      }
    };

    const group: ConsumerGroup = {
      async run(handler) {
        if (running) throw new Error('this consumer group member is already running');
        if (activeMembers.has(memberKey)) {
          throw new Error(
            `group ${options.groupId} already has a running member on ${options.topic} (the memory log supports one)`,
          );
        }
        const topic = topicOf(options.topic);
        activeMembers.add(memberKey);
        running = true;
        groups.add(group);
        const offsets = offsetsOf(options.groupId, options.topic);
        const partitions = topic.partitions.map((_, index) => index);
        if (offsets.size === 0 && options.startAt === 'latest') {
          topic.partitions.forEach((p, index) => {
            offsets.set(index, p.base + p.records.length);
          });
        }
        handler.onAssigned?.(partitions);
        loops = partitions.map((index) =>
          fetchLoop(index, handler, offsets.get(index) ?? 0).catch(() => {
            // A handler that throws stops its partition, as a crashed Kafka consumer would.
          }),
        );
      },
      pause(partitions) {
        for (const p of partitions) paused.add(p);
      },
      resume(partitions) {
        for (const p of partitions) {
          paused.delete(p);
          resumeWaiters.get(p)?.();
          resumeWaiters.delete(p);
        }
      },
      async commit(list) {
        const offsets = offsetsOf(options.groupId, options.topic);
        for (const { partition, offset } of list) offsets.set(partition, Number(offset));
      },
      async stop() {
        if (!running) return;
        running = false;
        for (const wake of [...stopWaiters]) wake();
        // Woken waiters left in a partition's set are dropped at its next append.
        resumeWaiters.clear();
        await Promise.all(loops);
        loops = [];
        activeMembers.delete(memberKey);
        groups.delete(group);
      },
    };
    return group;
  };

  const admin = (): KafkaAdmin => ({
    async createTopic({ topic, partitions }) {
      if (topics.has(topic)) return false;
      if (!Number.isInteger(partitions) || partitions < 1) {
        throw new Error(`a topic needs at least one partition, got ${partitions}`);
      }
      topics.set(topic, {
        next: 0,
        partitions: Array.from({ length: partitions }, () => ({
          records: [],
          base: 0,
          waiters: new Set(),
        })),
      });
      return true;
    },
    async deleteTopic(topic) {
      topics.delete(topic);
      for (const byTopic of committed.values()) byTopic.delete(topic);
    },
    async partitionCount(topic) {
      return topics.get(topic)?.partitions.length;
    },
    async brokerCount() {
      return 1;
    },
    async topicOffsets(topic) {
      return topicOf(topic).partitions.map((p, partition) => ({
        partition,
        low: String(p.base),
        high: String(p.base + p.records.length),
      }));
    },
    async committedOffsets(groupId, topic) {
      const offsets = committed.get(groupId)?.get(topic);
      return topicOf(topic).partitions.map((_, partition) => {
        const offset = offsets?.get(partition);
        return { partition, offset: offset === undefined ? null : String(offset) };
      });
    },
  });

  return {
    kind: 'memory',
    producer,
    consumerGroup,
    admin,
    async ping() {},
    async close() {
      await Promise.all([...groups].map((group) => group.stop()));
    },
  };
}

const SHARED_MEMORY_KAFKA = Symbol.for('shop.shared-memory-kafka');

/**
 * The process's one in-memory Kafka, for the embedded default: every function and the local
 * broker in one process (`npm run dev`, the end-to-end tests) that has no `KAFKA_BROKERS`
 * writes to and reads from the same log, as they would share one cluster. Each call returns a
 * handle whose `close()` stops only the consumer groups made through that handle, so one
 * function shutting down does not stop another's consumers; the log itself lives as long as
 * the process.
 * @example const kafka = config.KAFKA_BROKERS ? createKafkajsClient({ brokers, clientId }) : sharedMemoryKafka();
 */
export function sharedMemoryKafka(): KafkaClient {
  const holder = globalThis as { [SHARED_MEMORY_KAFKA]?: KafkaClient };
  holder[SHARED_MEMORY_KAFKA] ??= createMemoryKafka();
  const log = holder[SHARED_MEMORY_KAFKA];
  const mine = new Set<ConsumerGroup>();
  return {
    kind: 'memory',
    producer: (options) => log.producer(options),
    consumerGroup(options) {
      const group = log.consumerGroup(options);
      mine.add(group);
      return group;
    },
    admin: () => log.admin(),
    ping: () => log.ping(),
    async close() {
      await Promise.all([...mine].map((group) => group.stop()));
      mine.clear();
    },
  };
}
