import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { CloudEvent } from 'cloudevents';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { dataExceptionProblem, type ServiceEnv } from '../app.js';
import type { Queryable } from '../db/database.js';
import { Problem, problemResponse } from '../problem.js';
import { validRequestId, withRequestId } from '../request-context.js';
import { metricCatalog } from '../telemetry/metric-catalog.js';
import { contextOf, inSpan, spanContextOf, spanTraceparent } from '../telemetry/trace-context.js';
import {
  type EventCatalog,
  type EventData,
  type EventInput,
  type EventType,
  InvalidEventError,
  parseEventData,
  producerSource,
} from './catalog.js';
import { readCloudEvent, validTraceparent } from './cloud-event.js';
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
  /** The request that started it (the `requestid` extension), passed on to what it causes. */
  requestId: string | undefined;
  data: T;
}

/** A reply or follow-up event a handler emits, of one of the types `T`. */
export type EventReply<C extends EventCatalog, T extends EventType<C> = EventType<C>> = {
  [K in T]: {
    type: K;
    data: EventInput<C, K>;
    subject?: string;
    /** Kafka record key (default: the catalog's partition key field of the data). */
    partitionKey?: string;
  };
}[T];

/** What a handler gets besides the event. With an inbox, `tx` is the open transaction. */
export interface EventHandlerContext<Tx, Emits = never> {
  tx: Tx;
  log: Logger;
  /**
   * Records a reply or follow-up event in the function's outbox, in `tx`: it commits with the
   * inbox row and the handler's writes (a redelivery, skipped as a duplicate, emits nothing
   * again) and the relay publishes it after the commit. Only the types the function publishes
   * type-check; with a key-value deduper (no transaction) nothing can be emitted. Returns the id.
   * @example await emit({ type: 'shop.order.paid', data, subject: orderId });
   */
  emit(event: Emits): Promise<string>;
  /**
   * Runs `effect` once the handling committed (after the inbox transaction, or after the
   * handler with a key-value deduper); never when it failed or rolled back. For what must not
   * happen for a handling that did not take: business counters, cache invalidation. An effect
   * that throws is logged, not retried.
   * @example afterCommit(() => revenue.inc({ currency }, amount));
   */
  afterCommit(effect: () => void): void;
}

export type EventHandler<C extends EventCatalog, T extends EventType<C>, Tx, Emits = never> = (
  event: ReceivedEvent<EventData<C, T>>,
  context: EventHandlerContext<Tx, Emits>,
) => void | Promise<void>;

/** The transaction handlers get: the inbox's, or none with a key-value deduper. */
export type HandlerTransaction<D> = D extends EventInbox ? Queryable : undefined;

export type EventHandlers<C extends EventCatalog, Tx, Emits = never> = {
  [T in EventType<C>]?: EventHandler<C, T, Tx, Emits>;
};

/** Writes an emitted event to the outbox in the handler's transaction; returns its id. */
export type EmitWriter<Emits> = (
  tx: Queryable,
  event: Emits & { traceparent?: string },
) => Promise<string>;

export interface EventReceiverOptions<
  C extends EventCatalog,
  D extends EventDeduper | EventInbox,
  Emits = never,
> {
  catalog: C;
  /**
   * This function's CloudEvents `source`, e.g. `/shop/notification`. Informational: what it
   * emits is published by its outbox relay, which sets the source.
   */
  source?: string;
  /** Where handled events are remembered: {@link createKeyValueDeduper} or {@link createDatabaseInbox}. */
  dedupe: D;
  /** One handler per event type this function's Triggers deliver. */
  handlers: EventHandlers<C, HandlerTransaction<D>, Emits>;
  /**
   * How `emit` writes to the function's outbox (`events.write` of defineEvents); needs an inbox,
   * whose transaction it writes in. Unset: `emit` throws.
   */
  emit?: EmitWriter<Emits>;
  /** Called after a handling that emitted events committed: wake the outbox relay. */
  onEventsRecorded?: () => void;
  log: Logger;
  /** Registers `events_received_total{cloudevents_event_type,outcome}`. */
  registry?: Registry;
}

type Outcome = 'handled' | 'duplicate' | 'in_progress' | 'rejected' | 'failed';

function isInbox(dedupe: EventDeduper | EventInbox): dedupe is EventInbox {
  return 'run' in dedupe;
}

/**
 * The endpoint a Knative Trigger delivers to: a Hono app that accepts one CloudEvent per POST
 * (binary or structured mode), checks it against the catalog, skips duplicates (`source` +
 * `id`) and runs the handler of its type.
 *
 * Answers: 204 (empty) handled or already handled — never a reply event in the body: what a
 * handler emits goes through the outbox, so a lost answer loses no event; 400 not a CloudEvent, data not matching the catalog, or a type without a
 * handler here (a Trigger only delivers what it filters, so that is a wiring mistake: the
 * broker does not retry and dead-letters it); 409 while another delivery of the same event is
 * being handled (retried); 500 when the handler failed (retried), but 400 when the database
 * refused a value of the event (SQLSTATE 22xxx or a CHECK: every redelivery would fail alike, so
 * the broker dead-letters it); a `Problem` a handler throws passes through with its status.
 * @example
 * const receiver = createEventReceiver({
 *   catalog: eventCatalog, log, dedupe: createDatabaseInbox({ db, schema: 'audit' }),
 *   handlers: { 'shop.offer.price_changed': async (event, { tx }) => { await appendEntry(tx, event) } },
 * });
 * app.route('/events', receiver);
 */
export function createEventReceiver<
  C extends EventCatalog,
  D extends EventDeduper | EventInbox,
  Emits = never,
>(options: EventReceiverOptions<C, D, Emits>): Hono<ServiceEnv> {
  const { catalog, dedupe, handlers } = options;
  const counter = options.registry
    ? new Counter({
        name: metricCatalog.eventsReceived.prometheusName,
        help: metricCatalog.eventsReceived.help,
        labelNames: metricCatalog.eventsReceived.labels,
        registers: [options.registry],
      })
    : undefined;
  const processing = metricCatalog.messagingProcessDuration;
  const processDuration = options.registry
    ? new Histogram({
        name: processing.prometheusName,
        help: processing.help,
        labelNames: processing.labels,
        buckets: [...processing.buckets],
        registers: [options.registry],
      })
    : undefined;
  const app = new Hono<ServiceEnv>();

  app.post('/', async (c) => {
    const requestLog = c.get('log') ?? options.log;
    let eventType = 'unknown';
    let answered: Outcome | undefined;
    const answer = (outcome: Outcome, response: Response) => {
      counter?.inc({ cloudevents_event_type: eventType, outcome });
      answered = outcome;
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
      ? (handlers[event.type] as EventHandler<C, EventType<C>, unknown, Emits> | undefined)
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
      requestId: validRequestId(event.requestid),
      data,
    };
    // Emitted events are written (and validated) inside the handling, so with an inbox a bad
    // one rolls the handler's writes back and the retry runs it again.
    let emitted = 0;
    let effects: (() => void)[] = [];
    const handle = async (tx: unknown): Promise<void> => {
      // A handling run again (a retried transaction) starts with no effects of the last run.
      effects = [];
      const afterCommit = (effect: () => void) => {
        effects.push(effect);
      };
      const emit = async (reply: Emits): Promise<string> => {
        if (!options.emit || tx === undefined) {
          throw new Error(
            `the handler of ${event.type} emitted an event, which needs a database inbox and an outbox`,
          );
        }
        // Its starting trace is the consumer span: a new event, a new origin.
        const hop = consumerSpan && spanTraceparent(consumerSpan);
        // Its request is the one the event came from: the reply names what started the work.
        const id = await options.emit(tx as Queryable, {
          ...reply,
          ...(hop && { traceparent: hop }),
          ...(received.requestId && { requestId: received.requestId }),
        });
        emitted++;
        return id;
      };
      // What the handler writes or publishes names the request the event came from.
      await withRequestId(received.requestId, () =>
        handler(received, { tx, log, emit, afterCommit }),
      );
    };

    // The consumer span: a child of the delivery that brought the event when it is of the
    // event's trace (the broker passed it on), else of the event's starting trace, linked to
    // the delivery (a broker that does not pass traces on starts one of its own).
    const origin = spanContextOf(traceparent);
    const delivery = trace.getSpanContext(context.active());
    const sameTrace = !origin || (delivery && delivery.traceId === origin.traceId);
    const started = performance.now();
    let consumerSpan: Span | undefined;
    const response = await inSpan(
      `process ${event.type}`,
      {
        kind: SpanKind.CONSUMER,
        ...(!sameTrace && { parent: contextOf(traceparent) }),
        ...(!sameTrace && delivery && { links: [{ context: delivery }] }),
        attributes: {
          'messaging.system': 'knative',
          'messaging.operation.type': 'process',
          'messaging.message.id': event.id,
          'cloudevents.event_id': event.id,
          'cloudevents.event_type': event.type,
          'cloudevents.event_source': event.source,
          ...(event.subject !== undefined && { 'cloudevents.event_subject': event.subject }),
        },
      },
      async (span) => {
        consumerSpan = span;
        const result = await handleDelivery();
        span.setAttribute('shop.event.outcome', answered ?? 'handled');
        if (answered === 'failed') span.setStatus({ code: SpanStatusCode.ERROR });
        return result;
      },
    );
    if (answered === 'handled' || answered === 'rejected' || answered === 'failed') {
      processDuration?.observe(
        {
          cloudevents_event_type: eventType,
          ...(answered !== 'handled' && { error_type: answered }),
        },
        (performance.now() - started) / 1000,
      );
    }
    return response;

    async function handleDelivery(): Promise<Response> {
      try {
        if (isInbox(dedupe)) {
          const outcome = await dedupe.run(event.source, event.id, handle);
          if (outcome.duplicate) {
            log.debug('duplicate event skipped');
            return answer('duplicate', c.body(null, 204));
          }
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
            await handle(undefined);
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
          log.warn(
            { status: error.status, detail: error.detail },
            'event handler refused the event',
          );
          return answer('rejected', problemResponse(c as Context, error));
        }
        // A value the database cannot hold fails the same way on every redelivery: a 400 the
        // broker dead-letters, not a 500 it retries forever. Its transaction rolled back.
        const refused = dataExceptionProblem(error);
        if (refused) {
          log.warn({ err: error }, 'the database refused a value of the event');
          return answer('rejected', problemResponse(c as Context, refused));
        }
        log.error({ err: error }, 'event handler failed; the broker will retry');
        return answer('failed', problemResponse(c as Context, error));
      }

      for (const effect of effects) {
        try {
          effect();
        } catch (error) {
          log.warn({ err: error }, 'an after-commit effect of the handler failed');
        }
      }
      if (emitted > 0) {
        log.debug({ emitted }, 'event handled; what it emitted is in the outbox');
        options.onEventsRecorded?.();
      }
      return answer('handled', c.body(null, 204));
    }
  });

  return app;
}
