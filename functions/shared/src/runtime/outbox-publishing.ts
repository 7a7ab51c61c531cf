// A function's outbox relay to K_SINK, wired into its lifecycle: the one place that decides the
// start and shutdown order of publishing.
import type { Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import type { EventCatalog } from '../events/catalog.js';
import { createOutboxRelay, type OutboxRelay } from '../events/outbox-relay.js';
import { createPublisher } from '../events/publish.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../logger.js';

/** How often a running relay deletes published events past their retention. */
export const OUTBOX_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

export interface OutboxPublishingOptions {
  db: Database;
  /** The schema whose `outbox` table is relayed, e.g. `offer`. */
  schema: string;
  /** K_SINK; unset means no relay (events wait in the outbox) and one log line saying so. */
  sink: string | undefined;
  /** CloudEvents `source`, e.g. `/shop/offer`. */
  source: string;
  catalog: EventCatalog;
  /** Largest encoded event sent; larger ones are parked unsent (default 1 MiB, the broker's). */
  maxEventBytes?: number;
  /** The OIDC token presented to K_SINK with every event (Knative's `authentication-oidc`). */
  token?: () => string | Promise<string>;
  log: Logger;
  /**
   * Gets the `outbox` shutdown hook. Register the database's hook before calling this: hooks run
   * in reverse order, so the relay drains while the database is still open.
   */
  lifecycle: Lifecycle;
  registry?: Registry;
  /** Log a missing sink as a warning (production: a missing SinkBinding is a wiring mistake). */
  sinkExpected?: boolean;
  /** Deletes published events past retention; run at start, then every `pruneIntervalMs`. */
  prune?: () => Promise<number>;
  pruneIntervalMs?: number;
}

export interface OutboxPublishing {
  relay: OutboxRelay;
  /** Starts the relay (and the prune); call once the server is up. */
  start(): void;
  /** Stops the prune, then drains what is pending and stops the relay (the `outbox` hook). */
  stop(): Promise<void>;
}

/**
 * The relay publishing `<schema>.outbox` to K_SINK, with its optional prune and its `outbox`
 * shutdown hook; undefined (after one log line) when K_SINK is unset. Wake it after commits with
 * `publishing?.relay.wake()`.
 * @example const events = createOutboxPublishing({ db, schema: 'offer', sink: config.K_SINK, source: '/shop/offer', catalog: eventCatalog, log, lifecycle });
 */
export function createOutboxPublishing(
  options: OutboxPublishingOptions,
): OutboxPublishing | undefined {
  const { db, schema, sink, log } = options;
  if (!sink) {
    log[options.sinkExpected ? 'warn' : 'info'](
      `K_SINK is not set: events stay in ${schema}.outbox until a sink is configured`,
    );
    return undefined;
  }
  const publisher = createPublisher({
    sink,
    source: options.source,
    catalog: options.catalog,
    log,
    ...(options.maxEventBytes !== undefined && { maxEventBytes: options.maxEventBytes }),
    ...(options.token && { token: options.token }),
  });
  const relay = createOutboxRelay({
    db,
    schema,
    publisher,
    log,
    ...(options.registry && { registry: options.registry }),
  });
  const { prune: deletePublished } = options;
  let pruning: Promise<void> = Promise.resolve();
  const prune = () => {
    if (!deletePublished) return;
    pruning = deletePublished()
      .then((deleted) => {
        if (deleted > 0) log.info({ deleted }, 'published outbox events pruned');
      })
      .catch((error: unknown) => log.warn({ err: error }, 'pruning the outbox failed'));
  };
  let timer: NodeJS.Timeout | undefined;
  const publishing: OutboxPublishing = {
    relay,
    start() {
      relay.start();
      if (deletePublished) {
        // Instances scaled to zero may never live an hour, so the first prune runs at start.
        prune();
        timer = setInterval(prune, options.pruneIntervalMs ?? OUTBOX_PRUNE_INTERVAL_MS);
        timer.unref();
      }
      log.info({ sink }, 'outbox relay publishing to K_SINK');
    },
    async stop() {
      clearInterval(timer);
      await pruning;
      await relay.stop();
    },
  };
  options.lifecycle.onShutdown('outbox', () => publishing.stop());
  return publishing;
}
