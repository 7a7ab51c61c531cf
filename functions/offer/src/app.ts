import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createServiceApp,
  type Database,
  type Lifecycle,
  type Logger,
  type ServiceEnv,
  type ServiceMetrics,
  type TokenVerifier,
} from '@shop/shared';
import type { OfferDeps } from './deps.js';
import { DEFAULT_STOCK_HOLD_MINUTES } from './reservation-expiry.js';
import { registerAdminOfferRoutes } from './routes/admin-offers.js';
import { MAX_IMPORT_CHARS, registerCatalogCsvRoutes } from './routes/catalog-csv.js';
import { registerCategoryRoutes } from './routes/categories.js';
import { registerOfferRoutes } from './routes/offers.js';
import { registerStockAdjustmentRoutes } from './routes/stock-adjustments.js';
import { registerStockReservationRoutes } from './routes/stock-reservations.js';

/** What the offer app is built from; main.ts makes the real ones, tests pass their own. */
export interface OfferAppDeps {
  db: Database;
  log: Logger;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Source of "now" for createdAt, updatedAt and changedAt (default: the system clock). */
  clock?: () => Date;
  /** The one currency the catalog sells in (default EUR). */
  catalogCurrency?: string;
  /** Called once a transaction that wrote to offer.outbox committed (main.ts wakes the relay). */
  onEventsRecorded?: () => void;
  /** Minutes a stock reservation is held when cart names no hold (default 90). */
  stockHoldMinutes?: number;
  /** Verifies callers' access tokens (the kit's, from auth's JWKS; tests: `testVerifyToken`). */
  verifyToken: TokenVerifier;
  /** Called once an import job was recorded (main.ts wakes the import worker). */
  onImportQueued?: () => void;
}

/**
 * The catalog function: public search and product pages, categories, staff editing, and the
 * OpenAPI 3.1 document at /openapi.json. No side effects, no environment reads.
 * @example const app = createApp({ db, log }); const res = await app.request('/api/offers?q=kettle');
 */
export function createApp(deps: OfferAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, log } = deps;
  const app = createServiceApp({
    service: 'offer',
    log,
    verifyToken: deps.verifyToken,
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping() },
    // A catalog file of 10,000 products is a few MB; every other body keeps the 1 MiB limit.
    bodyLimits: { '/api/admin/catalog/imports': MAX_IMPORT_CHARS * 2 },
  });
  const routeDeps: OfferDeps = {
    db,
    clock: deps.clock ?? (() => new Date()),
    catalogCurrency: deps.catalogCurrency ?? 'EUR',
    onEventsRecorded: deps.onEventsRecorded ?? (() => {}),
    stockHoldMinutes: deps.stockHoldMinutes ?? DEFAULT_STOCK_HOLD_MINUTES,
  };
  registerOfferRoutes(app, routeDeps);
  registerCategoryRoutes(app, routeDeps);
  registerAdminOfferRoutes(app, routeDeps);
  registerStockAdjustmentRoutes(app, routeDeps);
  registerStockReservationRoutes(app, routeDeps);
  registerCatalogCsvRoutes(app, {
    ...routeDeps,
    onImportQueued: deps.onImportQueued ?? (() => {}),
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'offer',
      version: '1.0.0',
      description:
        'The catalog: products, categories, prices and stock. Staff routes under /api/admin ' +
        'are reached through the api-gateway, which enforces the staff role. Routes under ' +
        '/internal are not routed by the gateway: only cart calls them (stock reservations).',
    },
    tags: [
      { name: 'catalog', description: 'Public catalog' },
      { name: 'staff', description: 'Catalog management (staff only)' },
      { name: 'internal', description: 'Stock reservations, called by cart only' },
    ],
  });
  return app;
}
