// The feature-flag function as the kit runs it: `node dist/main.js` serves,
// `node dist/main.js migrate` is the migration job.
import { defineFunction } from '@shop/shared';
import { createApp } from './app.js';
import { events } from './events.js';

export { createApp, type FeatureFlagAppDeps } from './app.js';
export { events } from './events.js';

/**
 * feature-flag: PostgreSQL schema `feature_flag`, port 8086.
 * @example const running = await featureFlag.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const featureFlag = defineFunction({
  name: 'feature-flag',
  port: 8086,
  // Settings of its own, validated at start: e.g. OFFER_URL: z.url().default('http://127.0.0.1:8083')
  config: {},
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  createApp,
});

featureFlag.runIfEntryPoint(import.meta.url);
