// A CloudEvent as a Kafka record in binary content mode (the CloudEvents Kafka protocol binding):
// attributes in `ce_*` headers, the data as the value, the partition key as the record key.
// That is what Knative's KafkaSource and Kafka broker read, so every function that writes
// straight to a topic builds its records here.
import type { ProducerRecord } from './kafka-client.js';

/** The attributes and data of one event written straight to a topic. */
export interface CloudEventRecordInput {
  id: string;
  type: string;
  /** The producer's source, e.g. `/shop/redirect` (`producerSource(name)`). */
  source: string;
  /** ISO-8601 instant of the occurrence. */
  time: string;
  dataschema?: string;
  /** The `partitionkey` extension and the record key: one key keeps its order. */
  partitionKey: string;
  /** JSON-serialisable data (`datacontenttype: application/json`). */
  data: unknown;
  /** W3C traceparent, carried as the distributed-tracing extension. */
  traceparent?: string;
}

/**
 * The Kafka record of a CloudEvent in binary mode.
 * @example await producer.send('shop-analytics', [cloudEventRecord({ id, type: 'shop.link.clicked', source: '/shop/redirect', time, partitionKey: clickId, data })]);
 */
export function cloudEventRecord(event: CloudEventRecordInput): ProducerRecord {
  const headers: Record<string, string> = {
    ce_specversion: '1.0',
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ce_time: event.time,
    ce_partitionkey: event.partitionKey,
    'content-type': 'application/json',
  };
  if (event.dataschema) headers.ce_dataschema = event.dataschema;
  if (event.traceparent) headers.ce_traceparent = event.traceparent;
  return { key: event.partitionKey, value: JSON.stringify(event.data), headers };
}
