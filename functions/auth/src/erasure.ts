// POST /events — shop.user.erased: forget the user's credentials and end their sessions.
import type {
  Database,
  EventSenderVerifier,
  Logger,
  ServiceEnv,
  ServiceMetrics,
} from '@shop/shared';
import type { Hono } from 'hono';
import { events } from './events.js';
import { deleteCredential } from './store.js';

/**
 * The Trigger subscriber of auth: revokes the erased user's sessions (the revocation feed names
 * them, so their access tokens stop working too), deletes the credential and with it (cascade)
 * the sessions and refresh tokens, in the transaction that records the event in auth.inbox.
 * Idempotent: a redelivery is skipped, and an unknown user is nothing to delete.
 */
export function createErasureReceiver(options: {
  db: Database;
  log: Logger;
  /** The broker's OIDC token check; without it every event is refused. */
  verifySender?: EventSenderVerifier;
  registry?: ServiceMetrics['registry'];
}): Hono<ServiceEnv> {
  return events.receiver({
    db: options.db,
    log: options.log,
    ...(options.verifySender && { verifySender: options.verifySender }),
    ...(options.registry && { registry: options.registry }),
    handlers: {
      'shop.user.erased': async (event, { tx, log }) => {
        const deleted = await deleteCredential(tx, event.data.userId, new Date());
        log.info({ userId: event.data.userId, deleted }, 'erased user credentials deleted');
      },
    },
  });
}
