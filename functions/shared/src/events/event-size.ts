// How big an event is on the wire, and the broker's limit. The Knative Kafka broker's receiver
// produces with `max.request.size=1048576` (its data-plane ConfigMap) and the local broker
// refuses bodies over the same 1 MiB; a record over it is refused by the real broker with a 503,
// the same answer as an outage, so the kit refuses it before it is written instead.
import type { CloudEvent } from 'cloudevents';
import { Problem } from '../problem.js';
import { toBinaryMessage } from './cloud-event.js';

/** The broker's largest record (1 MiB): the Kafka broker's producer `max.request.size`. */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

const encoder = new TextEncoder();
const bytes = (value: string) => encoder.encode(value).length;

/**
 * The size of an event as a Kafka record in binary mode: the data (value), every `ce_*`
 * attribute and `content-type` header (names and values), and the `partitionkey` as key.
 * @example const size = encodedEventBytes(event); // 312
 */
export function encodedEventBytes(event: CloudEvent<unknown>): number {
  const { headers, body } = toBinaryMessage(event);
  let size = bytes(body);
  for (const [name, value] of headers) size += bytes(name) + bytes(value);
  const key = event.partitionkey;
  if (typeof key === 'string') size += bytes(key);
  return size;
}

/**
 * An event too large for the broker. A Problem 413, so the request (or the delivery) that tried
 * to record it fails with a clear answer and its transaction rolls back.
 */
export class EventTooLargeError extends Problem {
  override name = 'EventTooLargeError';
  constructor(
    readonly eventType: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      413,
      `The ${eventType} event this change makes is ${bytes} bytes, over the broker's limit of ${limit} bytes.`,
      { type: 'https://shop.example/problems/event-too-large', title: 'Event too large' },
    );
  }
}

/**
 * Throws {@link EventTooLargeError} when `event` is over `limit` bytes encoded.
 * @example assertEventFits(event, DEFAULT_MAX_EVENT_BYTES);
 */
export function assertEventFits(event: CloudEvent<unknown>, limit: number): void {
  const size = encodedEventBytes(event);
  if (size > limit) throw new EventTooLargeError(event.type, size, limit);
}
