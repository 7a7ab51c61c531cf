// What a KafkaSource makes of a Kafka record, as eventing-kafka-broker's dispatcher does it: a
// record in the CloudEvents Kafka binding (binary or structured) is that event; any other record
// is wrapped by InvalidCloudEventInterceptor into a `dev.knative.kafka.event` whose attributes
// come from the record's place (topic, partition, offset, timestamp, key, headers).
import type { ConsumedRecord } from '@shop/shared';
import {
  type BrokerEvent,
  fromKafkaRecord,
  InvalidEventError,
  parseHttpEvent,
  withExtensions,
} from './cloudevent.js';

/** `KafkaEventType` of the KafkaSource API: the type of a wrapped plain record. */
export const KAFKA_EVENT_TYPE = 'dev.knative.kafka.event';

const STRUCTURED = /^application\/cloudevents/i;

/**
 * `KafkaEventSource`: the `source` of a wrapped record,
 * `/apis/v1/namespaces/<namespace>/kafkasources/<name>#<topic>`.
 * @example kafkaEventSource('shop', 'analytics-to-attribution', 'shop-analytics')
 */
export function kafkaEventSource(namespace: string, name: string, topic: string): string {
  return `/apis/v1/namespaces/${namespace}/kafkasources/${name}#${topic}`;
}

/**
 * A record timestamp as the Java SDK writes an `OffsetDateTime` in UTC (ISO_OFFSET_DATE_TIME):
 * `Z`, and the fraction without trailing zeros (none at all on a whole second).
 */
export function javaInstant(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-12-02T05:23:10.120Z
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** `kafkaheader` + the header name lower-cased, keeping only `a-z` and `0-9` (replaceBadChars). */
function headerExtension(name: string): string {
  let kept = '';
  for (const ch of name) {
    const lower = ch.toLowerCase();
    if (/^[a-z0-9]$/.test(lower)) kept += lower;
  }
  return `kafkaheader${kept}`;
}

/**
 * The CloudEvent a record in the Kafka binding holds: structured when its `content-type` starts
 * with `application/cloudevents` (the value is the JSON event), binary when it has `ce_specversion`.
 * @throws InvalidEventError when it is neither, or not a valid event
 */
function cloudEventOf(record: ConsumedRecord): BrokerEvent {
  const contentType = Object.entries(record.headers).find(
    ([name]) => name.toLowerCase() === 'content-type',
  )?.[1];
  if (contentType && STRUCTURED.test(contentType.toString('utf8'))) {
    return parseHttpEvent(
      new Headers({ 'content-type': contentType.toString('utf8') }),
      record.value ?? Buffer.alloc(0),
    );
  }
  if (!Object.keys(record.headers).some((name) => name.toLowerCase() === 'ce_specversion')) {
    throw new InvalidEventError('no ce_specversion header and not a structured event');
  }
  return fromKafkaRecord(record);
}

/**
 * InvalidCloudEventInterceptor.validRecord: the event of a record that is not a CloudEvent.
 * `id` `partition:<p>/offset:<o>`, `source` {@link kafkaEventSource}, `subject`
 * `partition:<p>#<o>`, `time` the record's timestamp, `type` {@link KAFKA_EVENT_TYPE}, the key
 * (read as a string) as `partitionkey` and `key`, every header but `content-type` as
 * `kafkaheader<name>`, `content-type` lower-cased as `datacontenttype`, the value as data.
 */
export function wrapPlainRecord(
  record: ConsumedRecord,
  source: { namespace: string; name: string },
): BrokerEvent {
  const attributes: Record<string, string> = {};
  let contentType: string | undefined;
  for (const [name, value] of Object.entries(record.headers)) {
    if (name.toLowerCase() === 'content-type') contentType = value.toString('utf8');
    else attributes[headerExtension(name)] = value.toString('utf8');
  }
  // The context attributes are set before the headers in Knative's builder, but a header can
  // never overwrite one: every header extension starts with `kafkaheader`.
  Object.assign(attributes, {
    specversion: '1.0',
    id: `partition:${record.partition}/offset:${record.offset}`,
    time: javaInstant(record.timestamp),
    type: KAFKA_EVENT_TYPE,
    source: kafkaEventSource(source.namespace, source.name, record.topic),
    subject: `partition:${record.partition}#${record.offset}`,
  });
  if (record.key !== null) {
    const key = record.key.toString('utf8');
    attributes.partitionkey = key;
    attributes.key = key;
  }
  if (contentType !== undefined) attributes.datacontenttype = contentType.toLowerCase();
  return { attributes, data: record.value && record.value.length > 0 ? record.value : null };
}

/**
 * The event a KafkaSource delivers for a record: the CloudEvent it holds (binary or structured
 * Kafka mode), else the record wrapped ({@link wrapPlainRecord}); then the source's
 * `ceOverrides` extensions. Never throws: Knative wraps whatever its deserializer refuses.
 * @example kafkaSourceEvent(record, { namespace: 'shop', name: 'analytics-to-attribution', extensions: {} })
 */
export function kafkaSourceEvent(
  record: ConsumedRecord,
  source: { namespace: string; name: string; extensions: Record<string, string> },
): BrokerEvent {
  let event: BrokerEvent;
  try {
    event = cloudEventOf(record);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    event = wrapPlainRecord(record, source);
  }
  return Object.keys(source.extensions).length > 0
    ? withExtensions(event, source.extensions)
    : event;
}
