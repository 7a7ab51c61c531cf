// A change counter shared by every instance of a service, for caches that must drop what they
// hold within a second of a change on any instance: the instance that saw the change bumps the
// counter in the store (Redis), every instance reads it in the background every `pollMs` and
// is told when it moved. One GET per instance per poll, whatever the traffic.
//
// While the counter cannot be read, `isFresh()` says so, and the cache then trusts its entries
// for a short time only (its own bound), so a change still shows when Redis is away.
import type { KeyValue } from './key-value.js';

export interface GenerationWatchOptions {
  kv: KeyValue;
  /** The counter's key, e.g. `storefront:catalog:generation`. */
  key: string;
  /** Milliseconds between two reads (default 250). */
  pollMs?: number;
  /** Milliseconds a read or a bump may take (default 100). */
  timeoutMs?: number;
  /** Called when a read finds the counter moved since the last read (not on the first read). */
  onChange: () => void;
}

export interface GenerationWatch {
  /** Whether the last successful read is recent (within two polls and a margin). */
  isFresh(now?: number): boolean;
  /**
   * Bumps the counter, so every instance's `onChange` runs within `pollMs` (this one's too, at
   * its next read). Rejects when the store did not take it in time.
   */
  bump(): Promise<void>;
  /** Stops polling (shutdown). */
  close(): void;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Starts polling the counter at `key`; the first read happens at once.
 * @example
 * const watch = watchGeneration({ kv, key: 'storefront:catalog:generation', onChange: () => lru.clear() });
 * await watch.bump(); // after a change: every instance clears within 250 ms
 */
export function watchGeneration(options: GenerationWatchOptions): GenerationWatch {
  const { kv, key, onChange } = options;
  const pollMs = options.pollMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 100;
  let generation: string | null | undefined;
  let readAt = 0;
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const current = await withTimeout(kv.get(key), timeoutMs, `reading ${key}`);
      if (generation !== undefined && current !== generation) onChange();
      generation = current;
      readAt = Date.now();
    } catch {
      // Not fresh until a read succeeds again: see isFresh.
    } finally {
      polling = false;
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), pollMs);
  timer.unref();
  return {
    isFresh: (now = Date.now()) => now - readAt < 2 * pollMs + 100,
    async bump() {
      await withTimeout(kv.incr(key), Math.max(timeoutMs, 250), `bumping ${key}`);
    },
    close() {
      clearInterval(timer);
    },
  };
}
