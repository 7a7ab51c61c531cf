import { CloudEvent, HTTP, ValidationError } from 'cloudevents';
import { newId } from '../ids.js';
import { Problem } from '../problem.js';
import { validRequestId } from '../request-context.js';
import {
  type EventCatalog,
  type EventData,
  type EventType,
  eventDefinition,
  parseEventData,
} from './catalog.js';

/** W3C trace context `traceparent`: version-traceid-parentid-flags. */
const TRACEPARENT_PATTERN = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;
const JSON_CONTENT_TYPE = /^application\/(?:[\w.-]+\+)?json(?:\s*;.*)?$/i;
/** Content types whose binary-mode body the cloudevents SDK already parses as JSON. */
const SDK_PARSED = new Set(['application/json', 'application/json; charset=utf-8']);
const INVALID_EVENT = 'https://shop.example/problems/invalid-event';

/** Attributes of an event besides its type and data. */
export interface EventAttributes {
  subject?: string;
  /** Kafka record key; defaults to the data field the catalog names as partition key. */
  partitionKey?: string;
  /** Event id (default a new UUIDv7). */
  id?: string;
  /** When the change happened (default now). */
  time?: string | Date;
  /** W3C `traceparent`, sent as the distributed-tracing extension; ignored when malformed. */
  traceparent?: string;
  tracestate?: string;
  /**
   * The request that started the work this event records, sent as the `requestid` extension
   * (ours: CloudEvents has none for it); ignored when malformed.
   */
  requestId?: string;
}

/** The validated `traceparent`, or undefined. */
export function validTraceparent(value: unknown): string | undefined {
  return typeof value === 'string' && TRACEPARENT_PATTERN.test(value) ? value : undefined;
}

/**
 * Builds a CloudEvent of a catalog type: data validated and parsed, `dataschema` and the
 * `partitionkey` extension from the catalog.
 * @throws InvalidEventError when the type is unknown or the data does not match its schema
 */
export function buildCloudEvent<C extends EventCatalog, T extends EventType<C>>(
  catalog: C,
  source: string,
  type: T,
  data: unknown,
  attributes: EventAttributes = {},
): CloudEvent<EventData<C, T>> {
  const definition = eventDefinition(catalog, type);
  const parsed = parseEventData(catalog, type, data);
  const keyValue = (parsed as Record<string, unknown>)[definition.partitionKey];
  const partitionkey =
    attributes.partitionKey ??
    (keyValue === undefined || keyValue === null ? undefined : String(keyValue));
  const traceparent = validTraceparent(attributes.traceparent);
  const requestid = validRequestId(attributes.requestId);
  const time = attributes.time === undefined ? new Date() : new Date(attributes.time);
  return new CloudEvent<EventData<C, T>>({
    specversion: '1.0',
    id: attributes.id ?? newId(),
    type,
    source,
    time: time.toISOString(),
    datacontenttype: 'application/json',
    dataschema: definition.dataschema,
    data: parsed,
    ...(attributes.subject ? { subject: attributes.subject } : {}),
    ...(partitionkey ? { partitionkey } : {}),
    ...(traceparent ? { traceparent } : {}),
    ...(traceparent && attributes.tracestate ? { tracestate: attributes.tracestate } : {}),
    ...(requestid ? { requestid } : {}),
  });
}

/** The headers and body of a CloudEvent in binary content mode. */
export function toBinaryMessage(event: CloudEvent<unknown>): { headers: Headers; body: string } {
  const message = HTTP.binary(event);
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers.set(name, String(value));
  }
  const body =
    typeof message.body === 'string'
      ? message.body
      : message.body === undefined
        ? ''
        : JSON.stringify(message.body);
  return { headers, body };
}

function invalid(detail: string, errors?: { name: string; reason: string }[]): Problem {
  return new Problem(400, detail, {
    type: INVALID_EVENT,
    title: 'Invalid event',
    ...(errors?.length ? { errors } : {}),
  });
}

/**
 * Reads one CloudEvent from an HTTP request in binary or structured content mode, with its
 * data parsed as JSON.
 * @throws Problem 400 when the request is not a valid CloudEvent 1.0 with JSON data
 */
export async function readCloudEvent(request: Request): Promise<CloudEvent<unknown>> {
  const body = await request.text();
  const headers = Object.fromEntries(request.headers);
  let parsed: CloudEvent<unknown> | CloudEvent<unknown>[];
  try {
    parsed = HTTP.toEvent({ headers, body }) as CloudEvent<unknown> | CloudEvent<unknown>[];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(`The request is not a CloudEvent: ${reason}.`);
  }
  if (Array.isArray(parsed)) throw invalid('Batched CloudEvents are not accepted here.');
  const event = parsed;
  if (event.specversion !== '1.0') {
    throw invalid(`CloudEvents specversion ${String(event.specversion)} is not supported.`);
  }
  try {
    event.validate();
  } catch (error) {
    const details = error instanceof ValidationError ? (error.errors ?? []) : [];
    const errors = details.map((detail) => {
      if (typeof detail === 'object' && detail !== null) {
        // ajv errors: where, what, and for a missing attribute its name.
        const { instancePath, message, params } = detail as {
          instancePath?: string;
          message?: string;
          params?: { missingProperty?: string };
        };
        const path = [instancePath ?? '', params?.missingProperty ?? '']
          .join('/')
          .split('/')
          .filter(Boolean);
        return { name: ['event', ...path].join('.'), reason: message ?? 'invalid' };
      }
      return { name: 'event', reason: String(detail) };
    });
    throw invalid('The request is not a valid CloudEvent.', errors);
  }
  const contentType = event.datacontenttype ?? 'application/json';
  if (!JSON_CONTENT_TYPE.test(contentType)) {
    throw invalid(`Event data must be JSON, not ${contentType}.`);
  }
  if (event.data_base64 !== undefined || ArrayBuffer.isView(event.data)) {
    throw invalid('Event data must be JSON, not binary.');
  }
  const structured = /^application\/cloudevents/i.test(request.headers.get('content-type') ?? '');
  if (!structured && typeof event.data === 'string' && !SDK_PARSED.has(contentType)) {
    // The SDK parses only exact content types: `application/json;charset=UTF-8` stays text.
    if (event.data === '') return event.cloneWith({ data: undefined }, false);
    try {
      return event.cloneWith({ data: JSON.parse(event.data) as unknown }, false);
    } catch {
      throw invalid('Event data is not valid JSON.');
    }
  }
  return event;
}
