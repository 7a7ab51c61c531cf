// Erasure on request (GDPR Art. 17): personal data deleted, a tombstone and the event kept.
import type { Database } from '@shop/shared';
import { buildErasedEvent } from './domain/build-erased-event.js';
import { events } from './events.js';
import { eraseUser, lockUser } from './store.js';

/**
 * Deletes the user's consent history, addresses and profile, keeps their id as a tombstone so a
 * late `shop.user.registered` cannot bring them back, and records `shop.user.erased` in the same
 * transaction. Erasing again changes nothing and records nothing (`firstErasure: false`).
 * @example const { firstErasure } = await eraseUserRecord(db, { userId, requestedBy: userId, now: new Date() });
 */
export async function eraseUserRecord(
  db: Database,
  input: { userId: string; requestedBy: string | null; now: Date },
): Promise<{ firstErasure: boolean; hadProfile: boolean }> {
  return db.transaction(async (tx) => {
    await lockUser(tx, input.userId);
    const result = await eraseUser(tx, input.userId, input.now);
    if (result.firstErasure) {
      await events.write(
        tx,
        buildErasedEvent({
          userId: input.userId,
          requestedBy: input.requestedBy,
          erasedAt: input.now,
        }),
      );
    }
    return result;
  });
}
