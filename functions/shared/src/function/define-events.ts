// What a function says about events: the catalogued types it publishes (written to its outbox)
// and consumes (delivered to its /events receiver). The kit derives the CloudEvents `source`,
// typed outbox writes and the receiver from it.
import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { ServiceEnv } from '../app.js';
import type { Database, Queryable } from '../db/database.js';
import {
  type EventCatalog,
  type EventType,
  eventDefinition,
  producerSource,
} from '../events/catalog.js';
import { buildCloudEvent, validTraceparent } from '../events/cloud-event.js';
import { createDatabaseInbox, type EventDeduper, type EventInbox } from '../events/dedupe.js';
import { assertEventFits, DEFAULT_MAX_EVENT_BYTES } from '../events/event-size.js';
import {
  createEventReceiver,
  type EventHandler,
  type EventReply,
  type HandlerTransaction,
} from '../events/receive.js';
import {
  type EventSenderVerifier,
  refuseAllEventSenders,
  requireEventSender,
} from '../events/sender-auth.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import { pruneOutbox, writeOutbox } from '../outbox.js';
import { currentRequestId, validRequestId } from '../request-context.js';
import { currentTraceparent } from '../telemetry/trace-context.js';

/**
 * An event of one of the declared types as it goes into the outbox: `type`, `data`, and
 * optionally `subject` and `partitionKey` (default: the catalog's partition key field of the data).
 */
export type OutboxEventOf<C extends EventCatalog, Published extends EventType<C>> = EventReply<
  C,
  Published
>;

/**
 * Handlers for the consumed types; every type must be declared in `consumes`. `Emits` is what
 * their `emit` takes: the published types (with an inbox), else nothing.
 */
export type ConsumedHandlers<
  C extends EventCatalog,
  Consumed extends EventType<C>,
  Tx,
  Emits = never,
> = {
  [T in Consumed]?: EventHandler<C, T, Tx, Emits>;
};

/** A function's event declaration, as {@link defineEvents} returns it. */
export interface FunctionEvents<
  C extends EventCatalog,
  Published extends EventType<C>,
  Consumed extends EventType<C>,
> {
  readonly catalog: C;
  /** The Knative Service that publishes these events, e.g. `offer`. */
  readonly producer: string;
  /** CloudEvents `source` of everything it publishes: `/shop/<producer>`. */
  readonly source: string;
  /** The PostgreSQL schema holding its `outbox` (and `inbox`) tables. */
  readonly schema: string;
  readonly publishes: readonly Published[];
  readonly consumes: readonly Consumed[];
  /** Largest encoded event `write` accepts and the relay sends (the broker's limit). */
  readonly maxEventBytes: number;
  /**
   * Records an event in `<schema>.outbox` inside the caller's transaction, after checking its
   * data against the catalog and its encoded size against `maxEventBytes`: a refusal throws
   * (InvalidEventError, or EventTooLargeError, a 413 Problem) and rolls the change back. Only
   * declared types type-check. The partition key defaults to the catalog's field of the data,
   * as the published event's. Returns the event id.
   */
  write<T extends Published>(
    tx: Queryable,
    event: OutboxEventOf<C, T> & { traceparent?: string; requestId?: string },
  ): Promise<string>;
  /** Deletes outbox events published before `before` (default: the retention period ago). */
  prune(db: Queryable, before?: Date): Promise<number>;
  /**
   * The `/events` endpoint Triggers deliver to, deduplicating in `<schema>.inbox` (handlers
   * get its transaction as `tx`) unless another deduper is given. With the inbox, handlers
   * `emit` replies and follow-up events of the published types into the outbox, in that
   * transaction; the receiver then calls `onEventsRecorded` (pass the kit's, to wake the relay).
   * Every request's OIDC token is checked first by `verifySender` (pass the kit's
   * `deps.verifyEventSender`); without one, every event is refused with 401.
   */
  receiver<D extends EventDeduper | EventInbox = EventInbox>(options: {
    db?: Database;
    dedupe?: D;
    verifySender?: EventSenderVerifier;
    log: Logger;
    registry?: Registry;
    onEventsRecorded?: () => void;
    handlers: ConsumedHandlers<
      C,
      Consumed,
      HandlerTransaction<D>,
      D extends EventInbox ? OutboxEventOf<C, Published> : never
    >;
  }): Hono<ServiceEnv>;
}

/** The PostgreSQL schema name of a function: `conversion-webhook` → `conversion_webhook`. */
export function schemaNameOf(producer: string): string {
  return producer.replaceAll('-', '_');
}

/**
 * Declares the events a function publishes and consumes. Refuses, at start-up, a published type
 * whose catalogued producer is another function and a consumed type that does not list it as a
 * consumer, so code and catalog cannot drift.
 * @example
 * export const events = defineEvents({
 *   catalog: eventCatalog, producer: 'offer',
 *   publishes: ['shop.offer.created', 'shop.offer.price_changed'],
 * });
 * await events.write(tx, { type: 'shop.offer.created', data, subject: product.id });
 */
export function defineEvents<
  C extends EventCatalog,
  const Published extends EventType<C> = never,
  const Consumed extends EventType<C> = never,
>(declaration: {
  catalog: C;
  producer: string;
  /** Default: the producer with `-` as `_`. */
  schema?: string;
  publishes?: readonly Published[];
  consumes?: readonly Consumed[];
  /**
   * Largest encoded event (data, attributes, key) recorded or sent; default 1 MiB, the Kafka
   * broker's producer `max.request.size` (knative/eventing's broker, the local broker too).
   */
  maxEventBytes?: number;
}): FunctionEvents<C, Published, Consumed> {
  const { catalog, producer } = declaration;
  const schema = declaration.schema ?? schemaNameOf(producer);
  const publishes = Object.freeze([...(declaration.publishes ?? [])]);
  const consumes = Object.freeze([...(declaration.consumes ?? [])]);
  for (const type of publishes) {
    const definition = eventDefinition(catalog, type);
    if (definition.producer !== producer) {
      throw new Error(
        `${producer} declares it publishes ${type}, but the catalog names ${definition.producer} as its producer`,
      );
    }
  }
  for (const type of consumes) {
    if (!eventDefinition(catalog, type).consumers.includes(producer)) {
      throw new Error(
        `${producer} declares it consumes ${type}, but the catalog does not list it as a consumer`,
      );
    }
  }
  const declared = new Set<string>(publishes);
  const source = producerSource(producer);
  const maxEventBytes = declaration.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const write: FunctionEvents<C, Published, Consumed>['write'] = async (tx, event) => {
    const { type, subject } = event;
    if (!declared.has(type)) throw new Error(`${producer} does not publish ${type}`);
    const id = newId();
    // The event's starting trace (CloudEvents distributed tracing): the span that made it.
    const traceparent = validTraceparent(event.traceparent) ?? currentTraceparent();
    // And the request it serves (an HTTP request's, or the one an event handled here carried).
    const requestId = validRequestId(event.requestId) ?? currentRequestId();
    // The event as the relay will publish it: validated, keyed and measured now, so a refusal
    // fails the change that makes it instead of stalling the outbox later.
    const built = buildCloudEvent(catalog, source, type, event.data, {
      id,
      ...(subject !== undefined && { subject }),
      ...(event.partitionKey !== undefined && { partitionKey: event.partitionKey }),
      ...(traceparent && { traceparent }),
      ...(requestId && { requestId }),
    });
    assertEventFits(built, maxEventBytes);
    const partitionKey = typeof built.partitionkey === 'string' ? built.partitionkey : undefined;
    return writeOutbox(tx, schema, {
      id,
      type,
      data: built.data,
      ...(subject !== undefined && { subject }),
      ...(partitionKey !== undefined && { partitionKey }),
      ...(traceparent && { traceparent }),
      ...(requestId && { requestId }),
    });
  };
  return {
    catalog,
    producer,
    source,
    schema,
    publishes,
    consumes,
    maxEventBytes,
    write,
    prune: (db, before) => pruneOutbox(db, schema, before),
    receiver(options) {
      const handled = Object.keys(options.handlers).filter(
        (type) => !consumes.includes(type as Consumed),
      );
      if (handled.length > 0) {
        throw new Error(
          `${producer} handles ${handled.join(', ')} without declaring it consumes them`,
        );
      }
      const dedupe =
        options.dedupe ??
        (options.db ? createDatabaseInbox({ db: options.db, schema }) : undefined);
      if (!dedupe) throw new Error(`${producer}'s receiver needs a database (inbox) or a deduper`);
      let verifySender = options.verifySender;
      if (!verifySender) {
        options.log.error(`${producer}'s /events has no sender verifier: every event is refused`);
        verifySender = refuseAllEventSenders(`no verifySender given to ${producer}'s receiver`);
      }
      // The sender is checked before the event is read, as Knative's ingress does.
      const authenticated = new Hono<ServiceEnv>().use(requireEventSender(verifySender));
      const receiver = createEventReceiver({
        catalog,
        source,
        dedupe,
        log: options.log,
        ...(options.registry && { registry: options.registry }),
        ...(options.onEventsRecorded && { onEventsRecorded: options.onEventsRecorded }),
        // Writes in the inbox's transaction; only declared types pass, as with `write`.
        emit: (tx, event) => write(tx, event as OutboxEventOf<C, Published>),
        // biome-ignore lint/suspicious/noExplicitAny: the handler map is checked by the signature above
        handlers: options.handlers as any,
      });
      return authenticated.route('/', receiver);
    },
  };
}
