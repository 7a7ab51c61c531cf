import type { CloudEvent } from 'cloudevents';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { ServiceEnv } from '../app.js';
import type { Queryable } from '../db/database.js';
import { newId } from '../ids.js';
import { Problem, problemResponse } from '../problem.js';
import {
  type EventCatalog,
  type EventData,
  type EventInput,
  type EventType,
  InvalidEventError,
  parseEventData,
  producerSource,
} from './catalog.js';
import {
  buildCloudEvent,
  readCloudEvent,
  toBinaryMessage,
  validTraceparent,
} from './cloud-event.js';
import type { EventDeduper, EventInbox } from './dedupe.js';

const INVALID_EVENT = 'https://shop.example/problems/invalid-event';
const NOT_HANDLED = 'https://shop.example/problems/event-not-handled';
const FORBIDDEN_SOURCE = 'https://shop.example/problems/event-source-forbidden';

/** An event as a handler sees it: attributes plus `data` checked against the catalog. */
export interface ReceivedEvent<T> {
  id: string;
  source: string;
  type: string;
  subject: string | undefined;
  time: string | undefined;
  partitionKey: string | undefined;
  /** The producer's W3C `traceparent`, to link spans and pass on to events this one causes. */
  traceparent: string | undefined;
  data: T;
}

/** An event a handler answers with; the broker ingests it as if published. */
export type EventReply<C extends EventCatalog> = {
  [T in EventType<C>]: {
    type: T;
    data: EventInput<C, T>;
    subject?: string;
    partitionKey?: string;
  };
}[EventType<C>];

/** What a handler gets besides the event. With an inbox, `tx` is the open transaction. */
export interface EventHandlerContext<Tx> {
  tx: Tx;
  log: Logger;
}

// biome-ignore lint/suspicious/noConfusingVoidType: handlers may simply return nothing
type HandlerResult<C extends EventCatalog> = EventReply<C> | undefined | void;

export type EventHandler<C extends EventCatalog, T extends EventType<C>, Tx> = (
  event: ReceivedEvent<EventData<C, T>>,
  context: EventHandlerContext<Tx>,
) => HandlerResult<C> | Promise<HandlerResult<C>>;

/** The transaction handlers get: the inbox's, or none with a key-value deduper. */
export type HandlerTransaction<D> = D extends EventInbox ? Queryable : undefined;

export type EventHandlers<C extends EventCatalog, Tx> = {
  [T in EventType<C>]?: EventHandler<C, T, Tx>;
};

export interface EventReceiverOptions<C extends EventCatalog, D extends EventDeduper | EventInbox> {
  catalog: C;
  /** CloudEvents `source` of reply events, e.g. `/shop/notification`. */
  source: string;
  /** Where handled events are remembered: {@link createKeyValueDeduper} or {@link createDatabaseInbox}. */
  dedupe: D;
  /** One handler per event type this function's Triggers deliver. */
  handlers: EventHandlers<C, HandlerTransaction<D>>;
  log: Logger;
  /** Registers `events_received_total{type,outcome}`. */
  registry?: Registry;
}

type Outcome = 'handled' | 'replied' | 'duplicate' | 'in_progress' | 'rejected' | 'failed';

function isInbox(dedupe: EventDeduper | EventInbox): dedupe is EventInbox {
  return 'run' in dedupe;
}

/**
 * The endpoint a Knative Trigger delivers to: a Hono app that accepts one CloudEvent per POST
 * (binary or structured mode), checks it against the catalog, skips duplicates (`source` +
 * `id`) and runs the handler of its type.
 *
 * Answers: 204 (empty) handled or already handled; 200 with a binary-mode CloudEvent when the
 * handler replies; 400 not a CloudEvent, data not matching the catalog, or a type without a
 * handler here (a Trigger only delivers what it filters, so that is a wiring mistake: the
 * broker does not retry and dead-letters it); 409 while another delivery of the same event is
 * being handled (retried); 500 when the handler failed (retried); a `Problem` a handler throws
 * passes through with its status.
 * @example
 * const receiver = createEventReceiver({
 *   catalog: eventCatalog, source: '/shop/audit', log, dedupe: createDatabaseInbox({ db, schema: 'audit' }),
 *   handlers: { 'shop.offer.price_changed': async (event, { tx }) => { await appendEntry(tx, event) } },
 * });
 * app.route('/events', receiver);
 */
export function createEventReceiver<C extends EventCatalog, D extends EventDeduper | EventInbox>(
  options: EventReceiverOptions<C, D>,
): Hono<ServiceEnv> {
  const { catalog, source, dedupe, handlers } = options;
  const counter = options.registry
    ? new Counter({
        name: 'events_received_total',
        help: 'CloudEvents delivered to this function, by type and outcome',
        labelNames: ['type', 'outcome'] as const,
        registers: [options.registry],
      })
    : undefined;
  const app = new Hono<ServiceEnv>();

  app.post('/', async (c) => {
    const requestLog = c.get('log') ?? options.log;
    let eventType = 'unknown';
    const answer = (outcome: Outcome, response: Response) => {
      counter?.inc({ type: eventType, outcome });
      return response;
    };
    const reject = (log: Logger, error: Problem) => {
      log.warn({ detail: error.detail, errors: error.extensions.errors }, 'event rejected');
      return answer('rejected', problemResponse(c as Context, error));
    };

    let event: CloudEvent<unknown>;
    try {
      event = await readCloudEvent(c.req.raw);
    } catch (error) {
      if (error instanceof Problem) return reject(requestLog, error);
      throw error;
    }
    const log = requestLog.child({
      eventId: event.id,
      eventType: event.type,
      eventSource: event.source,
    });
    const definition = Object.hasOwn(catalog, event.type) ? catalog[event.type] : undefined;
    if (!definition) {
      return reject(
        log,
        new Problem(400, `${event.type} is not in the event catalog.`, {
          type: INVALID_EVENT,
          title: 'Invalid event',
        }),
      );
    }
    eventType = event.type;
    // Only the catalogued producer publishes a type: an event claiming another source is forged
    // or misrouted, and must change nothing (4xx: the broker does not retry, it dead-letters).
    const expectedSource = producerSource(definition.producer);
    if (event.source !== expectedSource) {
      return reject(
        log,
        new Problem(
          403,
          `${event.type} is published by ${expectedSource} only, not by ${event.source}.`,
          { type: FORBIDDEN_SOURCE, title: 'Event from the wrong source' },
        ),
      );
    }
    const handler = Object.hasOwn(handlers, event.type)
      ? (handlers[event.type] as EventHandler<C, EventType<C>, unknown> | undefined)
      : undefined;
    if (!handler) {
      return reject(
        log,
        new Problem(400, `This function has no handler for ${event.type}; check its Triggers.`, {
          type: NOT_HANDLED,
          title: 'Event not handled here',
        }),
      );
    }
    if (event.dataschema && event.dataschema !== definition.dataschema) {
      return reject(
        log,
        new Problem(400, `Data schema ${event.dataschema} is not ${definition.dataschema}.`, {
          type: INVALID_EVENT,
          title: 'Invalid event',
        }),
      );
    }
    let data: EventData<C, EventType<C>>;
    try {
      data = parseEventData(catalog, event.type as EventType<C>, event.data);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      return reject(
        log,
        new Problem(400, error.message, {
          type: INVALID_EVENT,
          title: 'Invalid event',
          errors: error.errors,
        }),
      );
    }

    const traceparent =
      validTraceparent(event.traceparent) ?? validTraceparent(c.req.header('traceparent'));
    const received: ReceivedEvent<typeof data> = {
      id: event.id,
      source: event.source,
      type: event.type,
      subject: event.subject,
      time: event.time,
      partitionKey: typeof event.partitionkey === 'string' ? event.partitionkey : undefined,
      traceparent,
      data,
    };
    // The reply is built (and validated) inside the handling, so with an inbox a bad reply
    // rolls the handler's writes back and the retry runs it again.
    const handle = async (tx: unknown): Promise<CloudEvent<unknown> | undefined> => {
      const reply = await handler(received, { tx, log });
      if (!reply) return undefined;
      try {
        return buildCloudEvent(catalog, source, reply.type, reply.data, {
          id: newId(),
          subject: reply.subject,
          partitionKey: reply.partitionKey,
          traceparent,
        });
      } catch (error) {
        throw new Error(`the handler of ${event.type} replied with an invalid event`, {
          cause: error,
        });
      }
    };

    let replyEvent: CloudEvent<unknown> | undefined;
    try {
      if (isInbox(dedupe)) {
        const outcome = await dedupe.run(event.source, event.id, handle);
        if (outcome.duplicate) {
          log.debug('duplicate event skipped');
          return answer('duplicate', c.body(null, 204));
        }
        replyEvent = outcome.result;
      } else {
        const claim = await dedupe.claim(event.source, event.id);
        if (claim === 'done') {
          log.debug('duplicate event skipped');
          return answer('duplicate', c.body(null, 204));
        }
        if (claim === 'in-progress') {
          return answer(
            'in_progress',
            problemResponse(
              c as Context,
              new Problem(
                409,
                'Another delivery of this event is being handled.',
                {},
                {
                  'retry-after': '2',
                },
              ),
            ),
          );
        }
        try {
          replyEvent = await handle(undefined);
        } catch (error) {
          await dedupe.release(event.source, event.id).catch((releaseError) => {
            log.warn({ err: releaseError }, 'releasing the claim failed; it expires by itself');
          });
          throw error;
        }
        await dedupe.complete(event.source, event.id).catch((completeError) => {
          log.warn({ err: completeError }, 'marking the event handled failed');
        });
      }
    } catch (error) {
      if (error instanceof Problem && error.status < 500) {
        log.warn({ status: error.status, detail: error.detail }, 'event handler refused the event');
        return answer('rejected', problemResponse(c as Context, error));
      }
      log.error({ err: error }, 'event handler failed; the broker will retry');
      return answer('failed', problemResponse(c as Context, error));
    }

    if (!replyEvent) return answer('handled', c.body(null, 204));
    const message = toBinaryMessage(replyEvent);
    log.debug({ replyType: replyEvent.type, replyId: replyEvent.id }, 'event handled with a reply');
    return answer('replied', c.body(message.body, 200, Object.fromEntries(message.headers)));
  });

  return app;
}
