// The feature-flag function as the kit runs it: `node dist/main.js` serves,
// `node dist/main.js migrate` is the migration job.
import { defineFunction } from '@shop/shared';
import { z } from 'zod';
import { createApp } from './app.js';
import { DEMO_FLAGS } from './demo-flags.js';
import { ENVIRONMENTS } from './domain/flag-types.js';
import { events } from './events.js';
import { createExperimentRecorder, type ExperimentRecorder } from './experiment-recorder.js';
import { importFlagSet } from './flag-changes.js';
import { createFlagSource, type FlagSource } from './flag-source.js';
import { createRequestBudget, type RequestBudget } from './request-budget.js';
import { createScheduler } from './scheduler.js';
import { readRevision } from './store.js';

export { createApp, type FeatureFlagAppDeps } from './app.js';
export { DEMO_FLAGS } from './demo-flags.js';
export { createFlagSnapshot } from './domain/flag-snapshot.js';
export { validateFlagSet } from './domain/validate-flag-set.js';
export { events } from './events.js';
export { createFlagSource } from './flag-source.js';

const positiveInt = z.coerce.number().int().min(1);

/** Services the kit builds at start (tests may replace them). */
interface FeatureFlagServices {
  flags: FlagSource;
  budget: RequestBudget;
  experiments: ExperimentRecorder;
}

/**
 * feature-flag: PostgreSQL schema `feature_flag`, port 8086.
 * @example const running = await featureFlag.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const featureFlag = defineFunction({
  name: 'feature-flag',
  port: 8086,
  config: {
    /** The environment this instance evaluates (its flags' per-environment values). */
    FLAG_ENVIRONMENT: z.enum(ENVIRONMENTS).default('dev'),
    /** How often the Redis generation counter is read for changes (ms). */
    FLAG_POLL_MS: positiveInt.default(250),
    /** How often the database revision is compared, the fallback when Redis is away (ms). */
    FLAG_DB_CHECK_MS: positiveInt.default(2_000),
    /** OFREP evaluations a second this instance takes before answering 429 (0: no limit). */
    OFREP_MAX_RPS: z.coerce.number().int().min(0).default(20_000),
    /** Change streams (SSE) one instance keeps open at most. */
    FLAG_STREAMS_MAX: positiveInt.default(1_000),
    /** analytics ingest, where experiment exposures go (Segment batch API); unset: not recorded. */
    ANALYTICS_INGEST_URL: z.url().optional(),
    /** Segment write key for analytics ingest, when it asks for one. */
    ANALYTICS_WRITE_KEY: z.string().min(1).optional(),
    /** Share of evaluations of experiment flags recorded (0 to 1). */
    EXPERIMENT_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0.1),
  },
  database: { migrations: new URL('../migrations/', import.meta.url) },
  keyValue: true,
  events,
  seed: async ({ db, config }) => {
    const environment = config.FLAG_ENVIRONMENT;
    if ((await readRevision(db, environment)) > 0) return { demoFlags: 'kept the stored flags' };
    const result = await db.transaction((tx) =>
      importFlagSet(
        tx,
        { events, clock: () => new Date() },
        {
          environment,
          document: DEMO_FLAGS,
          by: 'seed',
          ifMatch: { kind: 'missing' },
        },
      ),
    );
    return { demoFlags: result.created };
  },
  services: async ({ db, kv, log, lifecycle, config }): Promise<FeatureFlagServices> => {
    const flags = createFlagSource({
      db,
      kv,
      log,
      environment: config.FLAG_ENVIRONMENT,
      pollMs: config.FLAG_POLL_MS,
      dbCheckMs: config.FLAG_DB_CHECK_MS,
    });
    await flags.start();
    // Scheduled steps write their outbox rows; the relay's interval (1 s) publishes them.
    const scheduler = createScheduler({
      db,
      log,
      events,
      clock: () => new Date(),
      environment: config.FLAG_ENVIRONMENT,
      afterChange: () => flags.changed(),
    });
    scheduler.start();
    const experiments = createExperimentRecorder({
      ingestUrl: config.ANALYTICS_INGEST_URL,
      writeKey: config.ANALYTICS_WRITE_KEY,
      sampleRate: config.EXPERIMENT_SAMPLE_RATE,
      environment: config.FLAG_ENVIRONMENT,
      log,
    });
    experiments.start();
    lifecycle.onShutdown('flags', async () => {
      await scheduler.stop();
      await experiments.stop();
      flags.stop();
    });
    return { flags, budget: createRequestBudget(config.OFREP_MAX_RPS), experiments };
  },
  createApp: (deps) =>
    createApp({
      ...deps,
      environment: deps.config.FLAG_ENVIRONMENT,
      maxStreams: deps.config.FLAG_STREAMS_MAX,
    }),
});

featureFlag.runIfEntryPoint(import.meta.url);
