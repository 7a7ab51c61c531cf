// The audit function as the kit runs it: `node dist/main.js` serves,
// `node dist/main.js migrate` is the migration job.
import { defineFunction } from '@shop/shared';
import { createApp } from './app.js';
import { events } from './events.js';

export { type AuditAppDeps, createApp } from './app.js';
export { events } from './events.js';

/**
 * audit: PostgreSQL schema `audit`, port 8091.
 * @example const running = await audit.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const audit = defineFunction({
  name: 'audit',
  port: 8091,
  // Settings of its own, validated at start: e.g. OFFER_URL: z.url().default('http://127.0.0.1:8083')
  config: {},
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  createApp,
});

audit.runIfEntryPoint(import.meta.url);
