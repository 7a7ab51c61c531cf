// Unverified accounts get one reminder: a new verification link (the signup one may have
// expired), some time after signup. Run by a timer in main.ts; replicas share the work.
import type { Database, Logger } from '@shop/shared';
import type { MailLinkSettings } from './deps.js';
import { requestEmailVerification } from './mail-requests.js';
import { claimUnverifiedForReminder } from './store.js';

/**
 * Mails a reminder with a new link to every account unverified `afterSeconds` after signup and
 * not reminded yet, in batches; returns how many were reminded.
 * @example await remindUnverifiedAccounts(db, { links, afterSeconds: 172800, now: new Date() });
 */
export async function remindUnverifiedAccounts(
  db: Database,
  options: {
    links: MailLinkSettings;
    afterSeconds: number;
    now: Date;
    batchSize?: number;
    log?: Logger;
  },
): Promise<number> {
  const { links, now } = options;
  const createdBefore = new Date(now.getTime() - options.afterSeconds * 1000);
  const batchSize = options.batchSize ?? 100;
  let reminded = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const profiles = await claimUnverifiedForReminder(tx, createdBefore, now, batchSize);
      for (const profile of profiles) {
        await requestEmailVerification(tx, links, profile, 'reminder', now);
      }
      return profiles.length;
    });
    reminded += batch;
    if (batch < batchSize) break;
  }
  if (reminded > 0) options.log?.info({ reminded }, 'verification reminders requested');
  return reminded;
}
