import { type Span, SpanKind } from '@opentelemetry/api';
import type { CloudEvent } from 'cloudevents';
import type { Logger } from 'pino';
import { currentRequestId } from '../request-context.js';
import {
  contextOf,
  currentTraceparent,
  inSpan,
  isInstrumented,
  spanTraceparent,
} from '../telemetry/trace-context.js';
import type { EventCatalog, EventData, EventInput, EventType } from './catalog.js';
import {
  buildCloudEvent,
  type EventAttributes,
  toBinaryMessage,
  validTraceparent,
} from './cloud-event.js';
import { assertEventFits, DEFAULT_MAX_EVENT_BYTES } from './event-size.js';

const ERROR_BODY_LIMIT = 500;

export interface PublisherOptions<C extends EventCatalog> {
  /** The broker ingress, `K_SINK` (Knative sets it through a SinkBinding or SinkSource). */
  sink: string | URL;
  /** CloudEvents `source` of everything this publisher sends, e.g. `/shop/offer`. */
  source: string;
  catalog: C;
  fetch?: typeof fetch;
  /** Milliseconds before a POST to the sink is abandoned (default 5000). */
  timeoutMs?: number;
  /** Largest encoded event sent (default 1 MiB, the broker's); larger ones are refused unsent. */
  maxEventBytes?: number;
  /**
   * The sender's OIDC token for the sink's audience, read before every POST (it is renewed
   * while the function runs) and sent as `Authorization: Bearer`; see `sinkTokenFromFile`.
   */
  token?: () => string | Promise<string>;
  log: Logger;
}

/** Per-event attributes; everything else comes from the catalog. */
export type PublishOptions = EventAttributes;

export interface Publisher<C extends EventCatalog> {
  /**
   * Validates `data`, POSTs the event in binary mode to the sink and returns it.
   * @example await events.publish('shop.offer.archived', { productId, slug, archivedBy, archivedAt });
   * @throws InvalidEventError before any network call when the type or data is not valid
   * @throws EventTooLargeError before any network call when the event is over `maxEventBytes`
   * @throws PublishError when the sink does not answer 2xx in time
   */
  publish<T extends EventType<C>>(
    type: T,
    data: EventInput<C, T>,
    options?: PublishOptions,
  ): Promise<CloudEvent<EventData<C, T>>>;
}

/** The sink refused an event or did not answer; `status` is undefined on network errors. */
export class PublishError extends Error {
  override name = 'PublishError';
  constructor(
    message: string,
    readonly eventType: string,
    readonly eventId: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Publishes CloudEvents (binary content mode) to the broker ingress, validated against the
 * event catalog. The Knative Kafka broker uses the `partitionkey` extension as record key.
 * @example
 * const events = createPublisher({ sink: config.K_SINK, source: '/shop/offer', catalog: eventCatalog, log });
 * await events.publish('shop.offer.price_changed', data, { subject: productId });
 */
export function createPublisher<C extends EventCatalog>(
  options: PublisherOptions<C>,
): Publisher<C> {
  const { source, catalog, log } = options;
  const sink = String(options.sink);
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;

  return {
    async publish(type, data, attributes = {}) {
      // An event without a starting trace (published directly, not from an outbox) starts at
      // the span publishing it.
      const traceparent = validTraceparent(attributes.traceparent) ?? currentTraceparent();
      // Likewise its request: the one being served, unless the attributes name it (a relay).
      const requestId = attributes.requestId ?? currentRequestId();
      const event = buildCloudEvent(catalog, source, type, data, {
        ...attributes,
        ...(traceparent && { traceparent }),
        ...(requestId && { requestId }),
      });
      assertEventFits(event, maxEventBytes);
      // The send is a producer span, child of the span that made the event (an outbox relay
      // runs later, outside the request that wrote the row).
      return inSpan(
        `publish ${type}`,
        {
          kind: SpanKind.PRODUCER,
          parent: contextOf(traceparent),
          attributes: {
            'messaging.system': 'knative',
            'messaging.operation.type': 'send',
            'messaging.destination.name': sink,
            'messaging.message.id': event.id,
            'cloudevents.event_id': event.id,
            'cloudevents.event_type': type,
            'cloudevents.event_source': source,
          },
        },
        (span) => post(event, type, span),
      );
    },
  };

  /** The POST of one event; PublishError unless the sink answers 2xx in time. */
  async function post<E extends CloudEvent<unknown>>(
    event: E,
    type: string,
    span: Span,
  ): Promise<E> {
    const message = toBinaryMessage(event);
    // The extension (ce-traceparent) keeps the starting trace through every hop; the plain
    // W3C header names this hop: the undici instrumentation sets it to the POST's span, and
    // without it the producer span's context is sent by hand.
    const hop = isInstrumented() ? undefined : spanTraceparent(span);
    if (hop) message.headers.set('traceparent', hop);

    let response: Response;
    try {
      if (options.token) message.headers.set('authorization', `Bearer ${await options.token()}`);
      response = await send(sink, {
        method: 'POST',
        headers: message.headers,
        body: message.body,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as { name?: unknown } | null)?.name === 'TimeoutError';
      const reason = timedOut
        ? `no answer within ${timeoutMs} ms`
        : error instanceof Error
          ? error.message
          : String(error);
      throw new PublishError(
        `publishing ${type} ${event.id} to ${sink} failed: ${reason}`,
        type,
        event.id,
        undefined,
        { cause: error },
      );
    }
    if (!response.ok) {
      const body = (await response.text().catch(() => '')).slice(0, ERROR_BODY_LIMIT);
      throw new PublishError(
        `the sink answered ${response.status} to ${type} ${event.id}${body ? `: ${body}` : ''}`,
        type,
        event.id,
        response.status,
      );
    }
    // Drain the body so the connection goes back to the pool.
    await response.arrayBuffer().catch(() => undefined);
    log.debug({ eventType: type, eventId: event.id }, 'event published');
    // biome-ignore lint/suspicious/noExplicitAny: the catalog typed the data when it was built
    return event as any;
  }
}
