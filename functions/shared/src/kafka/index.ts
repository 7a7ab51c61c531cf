export { type CloudEventRecordInput, cloudEventRecord } from './cloudevent-record.js';
export type {
  CommittedOffset,
  ConsumedRecord,
  ConsumerGroup,
  ConsumerGroupHandler,
  ConsumerGroupOptions,
  KafkaAdmin,
  KafkaClient,
  KafkaHeaders,
  KafkaProducer,
  PartitionOffsets,
  ProducerOptions,
  ProducerRecord,
  RecordBatch,
  RecordMetadata,
  SendOptions,
  TopicSpec,
} from './kafka-client.js';
export { createKafkajsClient, type KafkajsClientOptions } from './kafkajs.js';
export { lingeringProducer } from './linger.js';
export {
  createMemoryKafka,
  MEMORY_KAFKA_MAX_RECORDS,
  MEMORY_KAFKA_RETENTION_MS,
  type MemoryKafkaOptions,
  sharedMemoryKafka,
} from './memory.js';
export { murmur2, partitionForKey } from './partitioner.js';
export { ensureTopics, kafkaFor } from './provision.js';
