import type { UserEvent } from './user-event.js';

/**
 * The `shop.user.erased` outbox event: every function forgets `userId`; keyed by user.
 * @example await events.write(tx, buildErasedEvent({ userId, requestedBy: userId, erasedAt: now }));
 */
export function buildErasedEvent(input: {
  userId: string;
  requestedBy: string | null;
  erasedAt: Date;
}): UserEvent {
  return {
    type: 'shop.user.erased',
    subject: input.userId,
    partitionKey: input.userId,
    data: {
      userId: input.userId,
      requestedBy: input.requestedBy,
      erasedAt: input.erasedAt.toISOString(),
    },
  };
}
