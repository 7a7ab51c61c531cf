// The attribution function as the kit runs it: `node dist/main.js` serves,
// `node dist/main.js migrate` is the migration job.
import { defineFunction } from '@shop/shared';
import { createApp } from './app.js';
import { events } from './events.js';

export { type AttributionAppDeps, createApp } from './app.js';
export { events } from './events.js';

/**
 * attribution: PostgreSQL schema `attribution`, port 8089.
 * @example const running = await attribution.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const attribution = defineFunction({
  name: 'attribution',
  port: 8089,
  // Settings of its own, validated at start: e.g. OFFER_URL: z.url().default('http://127.0.0.1:8083')
  config: {},
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  createApp,
});

attribution.runIfEntryPoint(import.meta.url);
