// messageId dedupe per source within a day, in the key-value store (Redis in production), so
// a client's retry of a request that did reach Kafka is not written twice. A messageId is
// claimed before the send and confirmed after Kafka acknowledged it; a failed send releases
// the claim, so the client's retry is kept, never lost. A claim held by another request in
// flight answers "busy" (the request gets a 503 and comes again).
import type { KeyValue } from '@shop/shared';

/** What a claim found. */
export type ClaimOutcome = 'claimed' | 'seen' | 'busy';

export interface MessageDedupe {
  /** Claims each `<sourceId>/<messageId>`; answers per id in order. */
  claim(sourceId: string, messageIds: string[]): Promise<ClaimOutcome[]>;
  /** Marks claimed ids as kept for the dedupe window. */
  confirm(sourceId: string, messageIds: string[]): Promise<void>;
  /** Gives up claims (the send failed). */
  release(sourceId: string, messageIds: string[]): Promise<void>;
}

export interface MessageDedupeOptions {
  kv: KeyValue;
  /** Seconds a kept messageId is remembered (default 86,400: a day). */
  windowSeconds?: number;
  /** Seconds a claim lives if its request dies before confirming (default 120). */
  claimSeconds?: number;
}

const PENDING = 'pending';
const KEPT = 'kept';
const keyOf = (sourceId: string, messageId: string) => `analytics:msg:${sourceId}:${messageId}`;

/** @example const dedupe = createMessageDedupe({ kv }); */
export function createMessageDedupe(options: MessageDedupeOptions): MessageDedupe {
  const { kv } = options;
  const windowSeconds = options.windowSeconds ?? 86_400;
  const claimSeconds = options.claimSeconds ?? 120;
  return {
    async claim(sourceId, messageIds) {
      // Issued in one turn of the event loop: ioredis pipelines them into one round trip.
      const claimed = await Promise.all(
        messageIds.map((id) =>
          kv.set(keyOf(sourceId, id), PENDING, { ttlSeconds: claimSeconds, onlyIfAbsent: true }),
        ),
      );
      const held = await Promise.all(
        messageIds.map((id, i) =>
          claimed[i] ? Promise.resolve(null) : kv.get(keyOf(sourceId, id)),
        ),
      );
      return claimed.map((won, i): ClaimOutcome => {
        if (won) return 'claimed';
        // Gone between SET NX and GET (a claim expired): someone else's, try again later.
        return held[i] === KEPT ? 'seen' : 'busy';
      });
    },
    async confirm(sourceId, messageIds) {
      await Promise.all(
        messageIds.map((id) => kv.set(keyOf(sourceId, id), KEPT, { ttlSeconds: windowSeconds })),
      );
    },
    async release(sourceId, messageIds) {
      if (messageIds.length > 0) await kv.del(...messageIds.map((id) => keyOf(sourceId, id)));
    },
  };
}
