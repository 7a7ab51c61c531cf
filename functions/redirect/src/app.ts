import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createServiceApp,
  type Database,
  type EventSenderVerifier,
  type KeyValue,
  type Lifecycle,
  type Logger,
  type ServiceEnv,
  type ServiceMetrics,
  type TokenVerifier,
} from '@shop/shared';
import type { ClickRecorder } from './click-recorder.js';
import type { CountryLookup } from './country-lookup.js';
import type { RedirectDeps, RedirectSettings } from './deps.js';
import { events } from './events.js';
import type { LinkCache } from './link-cache.js';
import { createRedirectCounter } from './redirect-metrics.js';
import type { RepeatClicks } from './repeat-clicks.js';
import { registerAdminLinkRoutes } from './routes/admin-links.js';
import { registerRedirectRoutes } from './routes/redirect.js';

/** What the redirect app is built from; the kit passes the real ones, tests their own. */
export interface RedirectAppDeps {
  db: Database;
  kv: KeyValue;
  log: Logger;
  metrics: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Source of "now" (default: the system clock). */
  clock?: () => Date;
  links: LinkCache;
  clicks: ClickRecorder;
  repeats: RepeatClicks;
  country: CountryLookup;
  settings: RedirectSettings;
  onEventsRecorded?: () => void;
  /** Verifies callers' access tokens (the kit's, from auth's JWKS; tests: `testVerifyToken`). */
  verifyToken: TokenVerifier;
  /** Verifies the broker's OIDC token on /events (the kit's; tests: a test issuer's). */
  verifyEventSender?: EventSenderVerifier;
}

/**
 * The redirect function: `/r/:code` (302 and a click), staff links under /api/admin/links,
 * `/events` (shop.link.changed drops cached links), /healthz, /readyz, /metrics and
 * /openapi.json. No side effects, no environment reads.
 * @example const app = createApp(deps); const res = await app.request('/r/summer-sale');
 */
export function createApp(deps: RedirectAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, log } = deps;
  const app = createServiceApp({
    service: 'redirect',
    log,
    verifyToken: deps.verifyToken,
    metrics: deps.metrics,
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping() },
    maxBodyBytes: 64 * 1024,
  });
  const routeDeps: RedirectDeps = {
    db,
    kv: deps.kv,
    log,
    clock: deps.clock ?? (() => new Date()),
    links: deps.links,
    clicks: deps.clicks,
    repeats: deps.repeats,
    country: deps.country,
    counter: createRedirectCounter(deps.metrics),
    settings: deps.settings,
    onEventsRecorded: deps.onEventsRecorded ?? (() => {}),
  };
  registerRedirectRoutes(app, routeDeps);
  registerAdminLinkRoutes(app, routeDeps);
  app.route(
    '/events',
    events.receiver({
      db,
      log,
      registry: deps.metrics.registry,
      ...(deps.verifyEventSender && { verifySender: deps.verifyEventSender }),
      handlers: {
        // Knative hands a Trigger's event to one instance: this one drops the link from its
        // LRU and Redis and bumps the generation the other instances poll (link-cache.ts).
        'shop.link.changed': async (event) => {
          await deps.links.forget(event.data.codes);
        },
      },
    }),
  );
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'redirect',
      version: '1.0.0',
      description:
        'Tracked affiliate links: GET /r/{code} answers a 302 to the stored destination (never ' +
        'an open redirect) and records the click after the answer; staff manage links under ' +
        '/api/admin/links through the api-gateway.',
    },
    tags: [{ name: 'staff', description: 'Link management (staff only)' }],
  });
  return app;
}
