// The user function as the kit runs it: `node dist/main.js` serves, `node dist/main.js migrate`
// is the migration job.
import { defineFunction } from '@shop/shared';
import { createApp } from './app.js';
import { events } from './events.js';

export { createApp, type UserAppDeps } from './app.js';
export { eraseUserRecord } from './erasure.js';
export { events } from './events.js';

/**
 * Customer records: PostgreSQL schema `users`, profiles from `shop.user.registered`, erasure
 * through its outbox, port 8082.
 * @example const running = await user.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const user = defineFunction({
  name: 'user',
  port: 8082,
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  createApp,
});

/** The user function's parsed environment. */
export type UserConfig = ReturnType<typeof user.loadConfig>;

/** A started user function. */
export type RunningUser = Awaited<ReturnType<typeof user.start>>;

user.runIfEntryPoint(import.meta.url);
