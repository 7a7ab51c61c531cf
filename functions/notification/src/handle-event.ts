// What /events does with each event, in the inbox transaction: recipients and erasures are
// recorded, and every message the event asks for is stored under its idempotency key (before
// anything is sent; the dispatcher sends after the commit).
import { newId, type Queryable } from '@shop/shared';
import { type MessageEventType, planMessages } from './domain/plan-messages.js';
import {
  findRecipient,
  idempotencyKey,
  insertMessage,
  isErased,
  updateRecipientEmail,
  upsertRecipient,
} from './store.js';
import { categoryOf } from './templates/templates.js';

interface ReceivedEvent {
  type: string;
  source: string;
  id: string;
  data: unknown;
}

/**
 * Stores the messages of one event; returns how many were new (0 for a replay).
 * @example await storeMessagesOf(tx, event, { now, defaultLocale: 'en-GB' });
 */
export async function storeMessagesOf(
  tx: Queryable,
  event: ReceivedEvent & { type: MessageEventType },
  options: { now: Date; defaultLocale: string },
): Promise<number> {
  const { now } = options;
  const data = event.data as { userId: string | null } & Record<string, unknown>;
  const userId = data.userId;
  if (!userId) return 0; // a guest order: notification knows no address
  if (await isErased(tx, userId)) return 0;
  if (event.type === 'shop.user.registered') {
    const registered = data as unknown as {
      userId: string;
      email: string;
      displayName: string | null;
      locale: string | null;
      marketingConsent: boolean;
    };
    await upsertRecipient(tx, registered, now);
  }
  const recipient = await findRecipient(tx, userId);
  const plans = planMessages(event.type, event.data as never, recipient);
  if (event.type === 'shop.user.email_changed') {
    await updateRecipientEmail(tx, userId, (data as unknown as { email: string }).email, now);
  }
  let stored = 0;
  for (const plan of plans) {
    const inserted = await insertMessage(tx, {
      id: newId(),
      key: idempotencyKey(event, plan.channel, plan.address),
      cause: { type: event.type, source: event.source, id: event.id },
      userId: plan.userId,
      channel: plan.channel,
      category: categoryOf(plan.template),
      template: plan.template,
      locale: plan.locale ?? options.defaultLocale,
      recipient: plan.address,
      payload: plan.payload,
      now,
    });
    if (inserted) stored += 1;
  }
  return stored;
}
