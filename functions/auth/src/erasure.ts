// POST /events — shop.user.erased: forget the user's credentials and end their sessions.
import { eventCatalog } from '@shop/eventing';
import {
  createDatabaseInbox,
  createEventReceiver,
  type Database,
  type Logger,
  type ServiceEnv,
  type ServiceMetrics,
} from '@shop/shared';
import type { Hono } from 'hono';
import { deleteCredential } from './store.js';

/** CloudEvents `source` of every event the auth function publishes. */
export const EVENT_SOURCE = '/shop/auth';

/**
 * The Trigger subscriber of auth: deletes the erased user's credential, and with it (cascade) the
 * sessions and refresh tokens, in the transaction that records the event in auth.inbox.
 * Idempotent: a redelivery is skipped, and an unknown user is nothing to delete.
 */
export function createErasureReceiver(options: {
  db: Database;
  log: Logger;
  registry?: ServiceMetrics['registry'];
}): Hono<ServiceEnv> {
  return createEventReceiver({
    catalog: eventCatalog,
    source: EVENT_SOURCE,
    dedupe: createDatabaseInbox({ db: options.db, schema: 'auth' }),
    log: options.log,
    ...(options.registry && { registry: options.registry }),
    handlers: {
      'shop.user.erased': async (event, { tx, log }) => {
        const deleted = await deleteCredential(tx, event.data.userId);
        log.info({ userId: event.data.userId, deleted }, 'erased user credentials deleted');
      },
    },
  });
}
