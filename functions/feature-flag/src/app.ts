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
import type { FeatureFlagDeps } from './deps.js';
import type { Environment } from './domain/flag-types.js';
import type { FeatureFlagEvents } from './events.js';
import type { ExperimentRecorder } from './experiment-recorder.js';
import type { FlagSource } from './flag-source.js';
import { createRequestBudget, type RequestBudget } from './request-budget.js';
import { registerAdminFlagRoutes } from './routes/admin-flags.js';
import { registerOfrepRoutes } from './routes/ofrep.js';

/** What the feature-flag app is built from; the kit passes the real ones, tests their own. */
export interface FeatureFlagAppDeps {
  db: Database;
  log: Logger;
  events: FeatureFlagEvents;
  /** The in-memory flags (main.ts builds and starts it; tests pass their own). */
  flags: FlagSource;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Source of "now" (default: the system clock). */
  clock?: () => Date;
  /** Verifies callers' access tokens (the kit's, from auth's JWKS; tests: `testVerifyToken`). */
  verifyToken: TokenVerifier;
  onEventsRecorded?: () => void;
  /** Default `dev`. */
  environment?: Environment;
  /** Default: no limit. */
  budget?: RequestBudget;
  /** Default 1000. */
  maxStreams?: number;
  /** Default: experiments are not recorded. */
  experiments?: ExperimentRecorder;
}

/**
 * The feature-flag function: OFREP evaluation, the staff admin API, /healthz, /readyz
 * (reports a stale copy of the flags without failing), /metrics and /openapi.json. No side
 * effects, no environment reads.
 * @example const app = createApp({ db, log, events, flags, verifyToken }); await app.request('/ofrep/v1/evaluate/flags', { method: 'POST', body: '{}' });
 */
export function createApp(deps: FeatureFlagAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, log, flags } = deps;
  const app = createServiceApp({
    service: 'feature-flag',
    log,
    verifyToken: deps.verifyToken,
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    // Evaluation runs from memory: PostgreSQL or Redis away is reported, not fatal.
    readiness: { flags: async () => flagsReadiness(flags) },
  });
  const routeDeps: FeatureFlagDeps = {
    db,
    log,
    clock: deps.clock ?? (() => new Date()),
    lifecycle: deps.lifecycle,
    events: deps.events,
    flags,
    environment: deps.environment ?? 'dev',
    budget: deps.budget ?? createRequestBudget(0),
    maxStreams: deps.maxStreams ?? 1_000,
    onEventsRecorded: deps.onEventsRecorded ?? (() => {}),
    experiments: deps.experiments,
  };
  registerOfrepRoutes(app, routeDeps);
  registerAdminFlagRoutes(app, routeDeps);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'feature-flag',
      version: '1.0.0',
      description:
        "Feature flags in flagd's format, evaluated as flagd does, over OFREP; staff manage them at /api/admin/flags.",
    },
  });
  return app;
}

function flagsReadiness(flags: FlagSource): string {
  const status = flags.status();
  if (status.revision === null) throw new Error(`flags not loaded (database: ${status.database})`);
  const problems = [
    status.database !== 'ok' && `database ${status.database}`,
    status.keyValue !== 'ok' && `redis ${status.keyValue}`,
  ].filter(Boolean);
  const served = `revision ${status.revision} loaded at ${status.loadedAt}`;
  return problems.length === 0
    ? `ok (${served})`
    : `serving the last known flags (${served}); ${problems.join('; ')}`;
}
