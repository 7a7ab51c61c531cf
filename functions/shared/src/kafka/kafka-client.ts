/**
 * The small Kafka surface the platform uses. kafkajs implements it in `kafkajs.ts` (the only
 * file that imports kafkajs: its maintenance is thin, a swap must touch one file), and
 * `memory.ts` implements the same log semantics in process for dev and unit tests.
 *
 * Offsets are decimal strings, as Kafka offsets are 64-bit.
 */

/** Record headers: names to UTF-8 text or raw bytes. */
export type KafkaHeaders = Record<string, string | Buffer>;

/** A record to append. */
export interface ProducerRecord {
  /** Partitioning key: murmur2 as the Java client's default partitioner; null spreads records. */
  key: string | Buffer | null;
  value: Buffer | string | null;
  headers?: KafkaHeaders;
  /** Explicit partition, bypassing the partitioner. */
  partition?: number;
}

/** Where a record landed. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: string;
}

export interface SendOptions {
  /** -1 waits for every in-sync replica (durable), 1 for the leader, 0 for nothing. */
  acks?: -1 | 0 | 1;
  /** Milliseconds the broker may wait for the acks. */
  timeoutMs?: number;
}

/** How a producer sends. */
export interface ProducerOptions {
  /**
   * Exactly-once appends per partition across the producer's own retries (Kafka's idempotent
   * producer: acks all, one request at a time; after a send failed, later sends go out under a
   * new producer id, so none can be taken for a copy of the failed one); default false.
   */
  idempotent?: boolean;
  /** Compresses each request's record batch (kafkajs ships gzip; default none). */
  compression?: 'none' | 'gzip';
  /**
   * Milliseconds sends to one topic wait to go out together as one request (Kafka's
   * `linger.ms`); default 0, each send its own request.
   */
  lingerMs?: number;
  /**
   * Milliseconds a send goes on retrying a failed request before it rejects, about (Kafka's
   * `delivery.timeout.ms`): retries back off from 100 ms, doubling up to 5 s apart. An idempotent
   * producer's retries carry the same sequence numbers, so a record whose acknowledgement was lost
   * is not written again by them; default 120,000 for an idempotent producer, else the client's
   * own (5 retries).
   */
  deliveryTimeoutMs?: number;
}

export interface KafkaProducer {
  /**
   * Appends records to a topic; resolves once acknowledged as `acks` asks.
   * @example await producer.send('orders', [{ key: orderId, value: json, headers }], { acks: -1 });
   */
  send(topic: string, records: ProducerRecord[], options?: SendOptions): Promise<RecordMetadata[]>;
  close(): Promise<void>;
}

/** A record read from a partition. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values as bytes; decode text with `.toString('utf8')`. */
  headers: Record<string, Buffer>;
  /** Milliseconds since the epoch, as the producer or broker stamped it. */
  timestamp: number;
}

/** Records of one partition, in offset order. */
export interface RecordBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
}

export interface ConsumerGroupOptions {
  groupId: string;
  topic: string;
  /**
   * Where a group without committed offsets starts. `latest` commits the current end offsets
   * before the first fetch (what Knative's control plane does for a new Trigger), so a restart
   * does not skip records written in between; `earliest` reads the whole log.
   */
  startAt: 'latest' | 'earliest';
  /** Largest number of records in one batch (default 500, Kafka's `max.poll.records`). */
  maxBatchRecords?: number;
}

/** What the group hands records to. */
export interface ConsumerGroupHandler {
  /**
   * Takes the next records of one partition. The group fetches more of that partition once the
   * returned promise settles, so returning later is backpressure. Records are taken, not
   * committed: commit with {@link ConsumerGroup.commit} when their work is done.
   */
  onBatch(batch: RecordBatch): Promise<void>;
  /**
   * The group (re)joined and fetching restarts from the committed offsets of these partitions:
   * records handed out before and not started yet will come again.
   */
  onAssigned?(partitions: number[]): void;
}

/** One member of a consumer group on one topic, with manual commits. */
export interface ConsumerGroup {
  /** Joins the group and starts handing records to `handler`; resolves once joined. */
  run(handler: ConsumerGroupHandler): Promise<void>;
  /** Stops fetching these partitions until resumed (records already handed out stay yours). */
  pause(partitions: number[]): void;
  resume(partitions: number[]): void;
  /**
   * Commits, per partition, the offset of the next record to read (last done + 1).
   * @example await group.commit([{ partition: 0, offset: '42' }]);
   */
  commit(offsets: { partition: number; offset: string }[]): Promise<void>;
  /** Leaves the group; resolves once no handler call is running. */
  stop(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
}

export interface KafkaAdmin {
  /** Creates the topic unless it exists; resolves true when it created it. */
  createTopic(spec: TopicSpec): Promise<boolean>;
  deleteTopic(topic: string): Promise<void>;
  /** Partition count of a topic, or undefined when it does not exist. */
  partitionCount(topic: string): Promise<number | undefined>;
  /** Number of brokers in the cluster (a replication factor cannot exceed it). */
  brokerCount(): Promise<number>;
  /**
   * Per partition of a topic: the log start offset (`low`) and the end offset (`high`, the
   * offset the next record gets).
   * @example await admin.topicOffsets('orders'); // [{ partition: 0, low: '0', high: '42' }]
   */
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /**
   * Per partition of a topic: the offset a consumer group committed (the next to read), null
   * where it committed none.
   * @example await admin.committedOffsets('knative-trigger-shop-cart', 'orders'); // [{ partition: 0, offset: '40' }]
   */
  committedOffsets(groupId: string, topic: string): Promise<CommittedOffset[]>;
}

/** The offsets of one partition's log. */
export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

/** A consumer group's committed offset on one partition. */
export interface CommittedOffset {
  partition: number;
  offset: string | null;
}

/**
 * A Kafka cluster: kafkajs on `KAFKA_BROKERS`, or the in-memory log.
 * @example const kafka = brokers ? createKafkajsClient({ brokers, clientId: 'broker' }) : createMemoryKafka();
 */
export interface KafkaClient {
  /** `kafkajs` or `memory`, for logs. */
  readonly kind: string;
  /** @example const producer = kafka.producer({ idempotent: true }); */
  producer(options?: ProducerOptions): KafkaProducer;
  consumerGroup(options: ConsumerGroupOptions): ConsumerGroup;
  admin(): KafkaAdmin;
  /** Throws when the cluster does not answer (for `/readyz`). */
  ping(): Promise<void>;
  /** Closes every producer, group and admin connection this client opened. */
  close(): Promise<void>;
}
