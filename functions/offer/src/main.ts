// The offer function as the kit runs it: `node dist/main.js` serves, `node dist/main.js migrate`
// is the migration job.
import { defineFunction } from '@shop/shared';
import { z } from 'zod';
import { createApp } from './app.js';
import { createCatalogImportWorker } from './catalog-import.js';
import { events } from './events.js';
import { createReservationExpiry, DEFAULT_STOCK_HOLD_MINUTES } from './reservation-expiry.js';
import { seedCatalog } from './seed.js';

export { createApp, type OfferAppDeps } from './app.js';
export { events } from './events.js';
export { seedCatalog } from './seed.js';

/**
 * The catalog: PostgreSQL schema `offer`, events through its outbox, demo catalog on the
 * embedded database, port 8083.
 * @example const running = await offer.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const offer = defineFunction({
  name: 'offer',
  port: 8083,
  config: {
    /** The one currency the catalog sells in. */
    CATALOG_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code (3 uppercase letters)')
      .default('EUR'),
    /** Minutes a stock reservation is held when cart names no hold; then offer releases it. */
    STOCK_HOLD_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(DEFAULT_STOCK_HOLD_MINUTES),
  },
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  seed: ({ db }) => seedCatalog(db),
  createApp: (deps) => {
    // Runs while the function serves; stops on shutdown before the database closes.
    createReservationExpiry({ db: deps.db, log: deps.log }).start(deps.lifecycle);
    // Import jobs: applied in the background, taken up again after a restart.
    const imports = createCatalogImportWorker({
      db: deps.db,
      log: deps.log,
      catalogCurrency: deps.config.CATALOG_CURRENCY,
      onEventsRecorded: deps.onEventsRecorded,
    });
    imports.start();
    deps.lifecycle.onShutdown('catalog-imports', () => imports.stop());
    return createApp({
      ...deps,
      onImportQueued: () => void imports.kick(),
      catalogCurrency: deps.config.CATALOG_CURRENCY,
      stockHoldMinutes: deps.config.STOCK_HOLD_MINUTES,
    });
  },
});

/** The offer function's parsed environment. */
export type OfferConfig = ReturnType<typeof offer.loadConfig>;

/** A started offer function. */
export type RunningOffer = Awaited<ReturnType<typeof offer.start>>;

offer.runIfEntryPoint(import.meta.url);
