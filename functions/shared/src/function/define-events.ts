// What a function says about events: the catalogued types it publishes (written to its outbox)
// and consumes (delivered to its /events receiver). The kit derives the CloudEvents `source`,
// typed outbox writes and the receiver from it.
import type { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { ServiceEnv } from '../app.js';
import type { Database, Queryable } from '../db/database.js';
import {
  type EventCatalog,
  type EventInput,
  type EventType,
  eventDefinition,
  parseEventData,
  producerSource,
} from '../events/catalog.js';
import { createDatabaseInbox, type EventDeduper, type EventInbox } from '../events/dedupe.js';
import {
  createEventReceiver,
  type EventHandler,
  type HandlerTransaction,
} from '../events/receive.js';
import type { Logger } from '../logger.js';
import { pruneOutbox, writeOutbox } from '../outbox.js';

/** An event of one of the declared types as it goes into the outbox. */
export type OutboxEventOf<C extends EventCatalog, Published extends EventType<C>> = {
  [T in Published]: {
    type: T;
    data: EventInput<C, T>;
    /** CloudEvents `subject`, e.g. the order id. */
    subject?: string;
    /** Kafka record key (default: the catalog's partition key field of the data). */
    partitionKey?: string;
  };
}[Published];

/** Handlers for the consumed types; every type must be declared in `consumes`. */
export type ConsumedHandlers<C extends EventCatalog, Consumed extends EventType<C>, Tx> = {
  [T in Consumed]?: EventHandler<C, T, Tx>;
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
  /**
   * Records an event in `<schema>.outbox` inside the caller's transaction, after checking its
   * data against the catalog: a refusal throws (InvalidEventError) and rolls the change back.
   * Only declared types type-check. Returns the event id.
   */
  write<T extends Published>(tx: Queryable, event: OutboxEventOf<C, T>): Promise<string>;
  /** Deletes outbox events published before `before` (default: the retention period ago). */
  prune(db: Queryable, before?: Date): Promise<number>;
  /**
   * The `/events` endpoint Triggers deliver to, deduplicating in `<schema>.inbox` (handlers
   * get its transaction as `tx`) unless another deduper is given.
   */
  receiver<D extends EventDeduper | EventInbox = EventInbox>(options: {
    db?: Database;
    dedupe?: D;
    log: Logger;
    registry?: Registry;
    handlers: ConsumedHandlers<C, Consumed, HandlerTransaction<D>>;
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
  return {
    catalog,
    producer,
    source,
    schema,
    publishes,
    consumes,
    async write(tx, event) {
      const { type, subject, partitionKey } = event;
      if (!declared.has(type)) throw new Error(`${producer} does not publish ${type}`);
      const data = parseEventData(catalog, type, event.data);
      return writeOutbox(tx, schema, {
        type,
        data,
        ...(subject !== undefined && { subject }),
        ...(partitionKey !== undefined && { partitionKey }),
      });
    },
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
      return createEventReceiver({
        catalog,
        source,
        dedupe,
        log: options.log,
        ...(options.registry && { registry: options.registry }),
        // biome-ignore lint/suspicious/noExplicitAny: the handler map is checked by the signature above
        handlers: options.handlers as any,
      });
    },
  };
}
