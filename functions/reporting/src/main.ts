// The reporting function as the kit runs it: `node dist/main.js` serves,
// `node dist/main.js migrate` is the migration job; `dist/replay/cli.js` rebuilds the read models.
import { ConfigError, defineFunction, type FunctionConfig } from '@shop/shared';
import { z } from 'zod';
import { createApp } from './app.js';
import { parseTimeZones } from './domain/time-zone.js';
import { events } from './events.js';
import { keepZones } from './store/zones.js';

export { createApp, type ReportingAppDeps } from './app.js';
export { events } from './events.js';
export { replayEvents } from './replay/replay.js';
export { type ReportSource, salesReport } from './store/reports.js';
export { keepZones } from './store/zones.js';

const configShape = {
  /**
   * The IANA zones whose daily aggregates are kept (comma-separated): reports in these read at
   * most 366 rows per currency and year; any other zone is aggregated from the facts.
   */
  REPORTING_TIME_ZONES: z.string().max(2000).default('UTC,Europe/Berlin'),
};

/** The reporting config: the environment, the zones parsed. */
export type ReportingConfig = FunctionConfig<typeof configShape> & { timeZones: string[] };

function resolveConfig(config: FunctionConfig<typeof configShape>): ReportingConfig {
  try {
    return { ...config, timeZones: parseTimeZones(config.REPORTING_TIME_ZONES) };
  } catch (error) {
    throw new ConfigError([
      { variable: 'REPORTING_TIME_ZONES', message: (error as Error).message },
    ]);
  }
}

/**
 * reporting: PostgreSQL schema `reporting`, port 8092.
 * @example const running = await reporting.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const reporting = defineFunction({
  name: 'reporting',
  port: 8092,
  config: configShape,
  resolveConfig,
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  async services({ db, log, config }) {
    const added = await keepZones(db, config.timeZones);
    if (added.length > 0) log.info({ zones: added }, 'daily aggregates backfilled for new zones');
    return {};
  },
  createApp,
});

reporting.runIfEntryPoint(import.meta.url);
