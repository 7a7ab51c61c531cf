// The reporting function as the kit runs it: `node dist/main.js` serves,
// `node dist/main.js migrate` is the migration job.
import { defineFunction } from '@shop/shared';
import { createApp } from './app.js';
import { events } from './events.js';

export { createApp, type ReportingAppDeps } from './app.js';
export { events } from './events.js';

/**
 * reporting: PostgreSQL schema `reporting`, port 8092.
 * @example const running = await reporting.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const reporting = defineFunction({
  name: 'reporting',
  port: 8092,
  // Settings of its own, validated at start: e.g. OFFER_URL: z.url().default('http://127.0.0.1:8083')
  config: {},
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  createApp,
});

reporting.runIfEntryPoint(import.meta.url);
