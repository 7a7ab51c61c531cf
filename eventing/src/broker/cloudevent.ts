// CloudEvents as the broker carries them: string attributes plus the data bytes, exactly what
// a Kafka record in binary content mode holds. Kept apart from the SDK's object model so the
// data bytes pass through untouched.
import { type ConsumedRecord, currentTraceparent, type ProducerRecord } from '@shop/shared';

/** A CloudEvent as stored on the broker topic. */
export interface BrokerEvent {
  /** Context attributes and extensions, all as strings (`datacontenttype` included). */
  attributes: Record<string, string>;
  /** The data, or null when the event has none. */
  data: Buffer | null;
}

/** Thrown when a request, response or record does not hold a valid CloudEvent. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

const ATTRIBUTE_NAME = /^[a-z0-9]+$/;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;
const STRUCTURED = /^application\/cloudevents(\+[\w.-]+)?\s*(;|$)/i;
const JSON_TYPE = /^(application|text)\/([\w.-]+\+)?json\s*(;|$)/i;
const REQUIRED = ['id', 'source', 'type'] as const;

/** Throws {@link InvalidEventError} unless the attributes make a valid CloudEvents 1.0 event. */
export function validateAttributes(attributes: Record<string, string>): void {
  if (attributes.specversion !== '1.0') {
    throw new InvalidEventError(
      attributes.specversion === undefined
        ? 'specversion is missing'
        : `specversion ${attributes.specversion} is not supported (only 1.0)`,
    );
  }
  for (const name of REQUIRED) {
    if (!attributes[name]) throw new InvalidEventError(`${name} is missing or empty`);
  }
  for (const [name, value] of Object.entries(attributes)) {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw new InvalidEventError(`attribute name "${name}" is not lowercase alphanumeric`);
    }
    if (CONTROL.test(value)) throw new InvalidEventError(`${name} holds control characters`);
  }
  if (/\s/.test(attributes.source!)) throw new InvalidEventError('source is not a URI-reference');
  if (attributes.subject === '') throw new InvalidEventError('subject must not be empty');
  if (attributes.datacontenttype === '') {
    throw new InvalidEventError('datacontenttype must not be empty');
  }
  if (attributes.time !== undefined && !RFC3339.test(attributes.time)) {
    throw new InvalidEventError(`time ${attributes.time} is not an RFC 3339 timestamp`);
  }
  if (attributes.dataschema !== undefined && !URL.canParse(attributes.dataschema)) {
    throw new InvalidEventError(`dataschema ${attributes.dataschema} is not an absolute URI`);
  }
}

function extensionValue(name: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  throw new InvalidEventError(`attribute ${name} must be a string, an integer or a boolean`);
}

function parseStructured(body: Buffer): BrokerEvent {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new InvalidEventError('the structured-mode body is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidEventError('the structured-mode body is not a JSON object');
  }
  const { data, data_base64: dataBase64, ...rest } = json as Record<string, unknown>;
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(rest)) {
    const text = extensionValue(name, value);
    if (text !== undefined) attributes[name] = text;
  }
  if (data !== undefined && dataBase64 !== undefined) {
    throw new InvalidEventError('data and data_base64 are both set');
  }
  let bytes: Buffer | null = null;
  if (dataBase64 !== undefined && dataBase64 !== null) {
    if (typeof dataBase64 !== 'string') throw new InvalidEventError('data_base64 is not a string');
    bytes = Buffer.from(dataBase64, 'base64');
  } else if (data !== undefined && data !== null) {
    // The JSON format says data without datacontenttype is application/json; say so in the
    // binary-mode record, whose content-type is all a consumer has to go by.
    attributes.datacontenttype ??= 'application/json';
    const isJson = JSON_TYPE.test(attributes.datacontenttype);
    bytes = Buffer.from(!isJson && typeof data === 'string' ? data : JSON.stringify(data), 'utf8');
  }
  validateAttributes(attributes);
  return { attributes, data: bytes };
}

function parseBinary(headers: Headers, body: Buffer): BrokerEvent {
  const attributes: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith('ce-')) attributes[name.slice(3)] = value;
  });
  const contentType = headers.get('content-type');
  if (contentType !== null) attributes.datacontenttype = contentType;
  validateAttributes(attributes);
  return { attributes, data: body.length > 0 ? body : null };
}

/** Whether the message claims to carry a CloudEvent (binary or structured). */
function encodingOf(headers: Headers): 'structured' | 'binary' | undefined {
  const contentType = headers.get('content-type') ?? '';
  if (STRUCTURED.test(contentType)) return 'structured';
  if (headers.has('ce-specversion')) return 'binary';
  return undefined;
}

/**
 * Reads a CloudEvent from an HTTP message in binary or structured (JSON) content mode.
 * @throws InvalidEventError when the message holds no valid CloudEvent
 */
export function parseHttpEvent(headers: Headers, body: Buffer): BrokerEvent {
  const encoding = encodingOf(headers);
  if (encoding === 'structured') {
    const format = STRUCTURED.exec(headers.get('content-type') ?? '')?.[1]?.toLowerCase();
    if (format !== '+json') {
      throw new InvalidEventError(
        `content type ${headers.get('content-type')} is not a supported event format (application/cloudevents+json)`,
      );
    }
    return parseStructured(body);
  }
  if (encoding === 'binary') return parseBinary(headers, body);
  throw new InvalidEventError(
    'not a CloudEvent: no ce-specversion header (binary mode) and not application/cloudevents+json (structured mode)',
  );
}

/**
 * What a subscriber's 2xx answer means, as the Kafka broker's response handler reads it: an
 * event to re-ingest, nothing (empty body), or a failure (a body that is not an event).
 */
export function parseReply(
  headers: Headers,
  body: Buffer,
): { kind: 'event'; event: BrokerEvent } | { kind: 'none' } | { kind: 'invalid'; reason: string } {
  try {
    if (encodingOf(headers) !== undefined)
      return { kind: 'event', event: parseHttpEvent(headers, body) };
  } catch (error) {
    if (body.length === 0) return { kind: 'none' };
    return { kind: 'invalid', reason: (error as Error).message };
  }
  if (body.length === 0) return { kind: 'none' };
  return { kind: 'invalid', reason: 'the response body is not a CloudEvent' };
}

/**
 * The Kafka record of an event in binary content mode (CloudEvents Kafka protocol binding):
 * `ce_<attribute>` headers, `content-type`, the data as value, and the `partitionkey`
 * extension as record key (what Knative's PartitionKeyExtensionInterceptor does).
 */
export function toKafkaRecord(event: BrokerEvent): ProducerRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.attributes)) {
    if (name === 'datacontenttype') headers['content-type'] = value;
    else headers[`ce_${name}`] = value;
  }
  // The span writing the record (the ingress's or a reply's) for the dispatcher to continue;
  // the kafkajs instrumentation, where it runs, replaces it with its producer span.
  const traceparent = currentTraceparent();
  if (traceparent) headers.traceparent = traceparent;
  return { key: event.attributes.partitionkey ?? null, value: event.data, headers };
}

/**
 * The event of a binary-mode Kafka record.
 * @throws InvalidEventError when the record is not a valid CloudEvent
 */
export function fromKafkaRecord(record: ConsumedRecord): BrokerEvent {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('ce_')) attributes[lower.slice(3)] = value.toString('utf8');
    else if (lower === 'content-type') attributes.datacontenttype = value.toString('utf8');
  }
  validateAttributes(attributes);
  return { attributes, data: record.value && record.value.length > 0 ? record.value : null };
}

// Header values must be printable ASCII; other characters are percent-encoded (UTF-8), as the
// CloudEvents HTTP binding prescribes.
function headerValue(value: string): string {
  return /^[\u0020-\u007e]*$/.test(value)
    ? value
    : value.replace(/[^\u0020-\u007e]/gu, (ch) => encodeURIComponent(ch));
}

/** Headers and body of the event in HTTP binary content mode. */
export function toBinaryHttp(event: BrokerEvent): {
  headers: Record<string, string>;
  body?: Buffer;
} {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.attributes)) {
    if (name === 'datacontenttype') headers['content-type'] = headerValue(value);
    else headers[`ce-${name}`] = headerValue(value);
  }
  return event.data ? { headers, body: event.data } : { headers };
}

/** A copy of the event with more (or replaced) extension attributes. */
export function withExtensions(
  event: BrokerEvent,
  extensions: Record<string, string>,
): BrokerEvent {
  return { attributes: { ...event.attributes, ...extensions }, data: event.data };
}
