// POST /events — CloudEvents from the broker: shop.user.registered creates the profile
import {
  type Database,
  type EventSenderVerifier,
  type Logger,
  newId,
  type ServiceEnv,
  type ServiceMetrics,
} from '@shop/shared';
import type { Hono } from 'hono';
import { events } from '../events.js';
import { insertConsent, insertProfile, isErased, lockUser } from '../store.js';

/**
 * The endpoint the Trigger for `shop.user.registered` delivers to. Each event is handled once
 * (the inbox row commits with the profile); a profile that exists is left as it is, and an
 * erased user (tombstone) is never recreated.
 * @example app.route('/events', createUserEventReceiver({ db, log, clock }));
 */
export function createUserEventReceiver(options: {
  db: Database;
  log: Logger;
  clock: () => Date;
  /** The broker's OIDC token check; without it every event is refused. */
  verifySender?: EventSenderVerifier;
  registry?: ServiceMetrics['registry'];
}): Hono<ServiceEnv> {
  const { db, log, clock } = options;
  return events.receiver({
    db,
    log,
    ...(options.verifySender && { verifySender: options.verifySender }),
    ...(options.registry && { registry: options.registry }),
    handlers: {
      'shop.user.registered': async (event, { tx, log: eventLog }) => {
        const data = event.data;
        const userId = data.userId.toLowerCase();
        await lockUser(tx, userId);
        if (await isErased(tx, userId)) {
          eventLog.info({ userId }, 'registration of an erased user ignored');
          return;
        }
        const registeredAt = new Date(data.registeredAt);
        const now = clock();
        const created = await insertProfile(tx, {
          userId,
          email: data.email,
          displayName: data.displayName,
          locale: canonicalOrNull(data.locale),
          marketingConsent: data.marketingConsent,
          marketingConsentAt: data.marketingConsent ? registeredAt : null,
          registeredAt,
          createdAt: now,
          updatedAt: now,
        });
        if (!created) {
          eventLog.info({ userId }, 'profile exists; registration left it as it is');
          return;
        }
        if (data.marketingConsent) {
          await insertConsent(tx, userId, newId(), {
            granted: true,
            origin: 'registration',
            recordedAt: registeredAt,
          });
        }
        eventLog.info({ userId }, 'profile created');
      },
    },
  });
}

/** The canonical BCP 47 form of the sign-up locale, or null when it is not a valid tag. */
function canonicalOrNull(locale: string | null): string | null {
  if (locale === null) return null;
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? null;
  } catch {
    return null;
  }
}
