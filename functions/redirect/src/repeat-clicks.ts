// Repeat clicks: the same visitor following the same link within the window (an hour) gets the
// click id of their first click again, and the click is not counted twice. Remembered in an
// in-process LRU and in Redis (shared by the instances) under a hard timeout: without Redis a
// repeat on another instance is counted again, never a redirect slowed or failed.
import type { KeyValue, Logger } from '@shop/shared';
import { LRUCache } from 'lru-cache';

export interface RepeatClicks {
  /** The click id of this visitor's earlier click on this link within the window, if any. */
  earlier(linkId: string, visitorKey: string): Promise<string | undefined>;
  /** Remembers a counted click (after the answer). */
  remember(linkId: string, visitorKey: string, clickId: string): void;
}

export function createRepeatClicks(options: {
  kv: KeyValue;
  log: Logger;
  windowSeconds?: number;
  redisTimeoutMs?: number;
  max?: number;
}): RepeatClicks {
  const { kv, log } = options;
  const windowSeconds = options.windowSeconds ?? 3600;
  const timeoutMs = options.redisTimeoutMs ?? 25;
  const lru = new LRUCache<string, string>({
    max: options.max ?? 50_000,
    ttl: windowSeconds * 1000,
  });
  let skipUntil = 0;
  const key = (linkId: string, visitorKey: string) => `redirect:click:${linkId}:${visitorKey}`;
  const failed = (error: unknown) => {
    // Logged once per back-off, not per request.
    if (Date.now() >= skipUntil) {
      log.warn(
        { err: error },
        'Redis did not answer for repeat clicks: counting on this instance only',
      );
    }
    skipUntil = Date.now() + 5_000;
  };
  return {
    async earlier(linkId, visitorKey) {
      const k = key(linkId, visitorKey);
      const local = lru.get(k);
      if (local) return local;
      if (Date.now() < skipUntil) return undefined;
      let timer: NodeJS.Timeout | undefined;
      try {
        const shared = await Promise.race([
          kv.get(k),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`Redis took longer than ${timeoutMs} ms`)),
              timeoutMs,
            );
          }),
        ]);
        if (shared) lru.set(k, shared);
        return shared ?? undefined;
      } catch (error) {
        failed(error);
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    },
    remember(linkId, visitorKey, clickId) {
      const k = key(linkId, visitorKey);
      lru.set(k, clickId);
      if (Date.now() < skipUntil) return;
      void kv.set(k, clickId, { ttlSeconds: windowSeconds }).catch(failed);
    },
  };
}
