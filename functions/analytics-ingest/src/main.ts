// The analytics-ingest function as the kit runs it: `node dist/main.js` serves,
// `node dist/main.js migrate` is the migration job.
import { defineFunction } from '@shop/shared';
import { createApp } from './app.js';
import { events } from './events.js';

export { type AnalyticsIngestAppDeps, createApp } from './app.js';
export { events } from './events.js';

/**
 * analytics-ingest: PostgreSQL schema `analytics_ingest`, port 8087.
 * @example const running = await analyticsIngest.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const analyticsIngest = defineFunction({
  name: 'analytics-ingest',
  port: 8087,
  // Settings of its own, validated at start: e.g. OFFER_URL: z.url().default('http://127.0.0.1:8083')
  config: {},
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  createApp,
});

analyticsIngest.runIfEntryPoint(import.meta.url);
