// Repeat clicks are not counted twice. The click id is derived (domain/derive-click-id.ts) and a
// returning browser's earlier click comes from its signed cookie (domain/recent-clicks.ts), so
// nothing here is on the redirect's path: after the answer, a click is recorded only the first
// time its id is seen within the window — in an in-process LRU, and across instances by SET NX
// in Redis under a hard timeout. Without Redis a repeat on another instance is counted again,
// never a redirect slowed or a click lost.
import type { KeyValue, Logger } from '@shop/shared';
import { LRUCache } from 'lru-cache';
import { withTimeout } from './with-timeout.js';

export interface RepeatClicks {
  /** Seconds within which a visitor's repeat click reuses the click id and is not counted. */
  readonly windowSeconds: number;
  /** True the first time this click id is seen within the window; false for a repeat. Never rejects. */
  isFirst(clickId: string): Promise<boolean>;
}

/** @example const repeats = createRepeatClicks({ kv, log }); if (await repeats.isFirst(clickId)) record(click); */
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
  const seen = new LRUCache<string, true>({
    max: options.max ?? 50_000,
    ttl: windowSeconds * 1000,
  });
  let skipUntil = 0;
  const failed = (error: unknown) => {
    // Logged once per back-off, not per click.
    if (Date.now() >= skipUntil) {
      log.warn(
        { err: error },
        'Redis did not answer for repeat clicks: counting on this instance only',
      );
    }
    skipUntil = Date.now() + 5_000;
  };
  return {
    windowSeconds,
    async isFirst(clickId) {
      if (seen.has(clickId)) return false;
      seen.set(clickId, true);
      if (Date.now() < skipUntil) return true;
      try {
        return await withTimeout(
          kv.set(`redirect:clicked:${clickId}`, '1', {
            ttlSeconds: windowSeconds,
            onlyIfAbsent: true,
          }),
          timeoutMs,
        );
      } catch (error) {
        failed(error);
        return true;
      }
    },
  };
}
