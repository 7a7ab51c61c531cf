// Offer's own sweep of stock reservations whose hold ran out: a checkout that reserved units and
// then never recorded or settled its order (cart crashed, or lost offer's answer) gives them
// back here, so no unit is held forever whatever happens at cart.
import type { Database, Lifecycle, Logger } from '@shop/shared';
import { releaseExpiredReservations } from './store.js';

/** Minutes a reservation is held when cart names none: past cart's 30-minute pending orders. */
export const DEFAULT_STOCK_HOLD_MINUTES = 90;

/** How often a running offer sweeps (and once at start). */
export const RESERVATION_SWEEP_INTERVAL_MS = 60_000;

export interface ReservationExpiry {
  /** One run: releases every reservation past its hold; resolves with their order ids. */
  sweep(): Promise<string[]>;
  /** Sweeps now and every interval until the lifecycle shuts down. */
  start(lifecycle: Lifecycle): void;
}

/**
 * The sweep of held-too-long reservations.
 * @example createReservationExpiry({ db, log }).start(lifecycle);
 */
export function createReservationExpiry(options: {
  db: Database;
  log: Logger;
  clock?: () => Date;
  intervalMs?: number;
}): ReservationExpiry {
  const { db, log } = options;
  const clock = options.clock ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const sweep = async () => {
    const released: string[] = [];
    for (;;) {
      const batch = await releaseExpiredReservations(db, clock());
      released.push(...batch);
      if (batch.length < 100) break;
    }
    if (released.length > 0) {
      log.warn({ orders: released }, 'stock reservations held past their time were released');
    }
    return released;
  };

  return {
    sweep,
    start(lifecycle) {
      const run = () => {
        running = sweep().catch((error: unknown) =>
          log.error({ err: error }, 'the stock reservation sweep failed'),
        );
      };
      run();
      timer = setInterval(run, options.intervalMs ?? RESERVATION_SWEEP_INTERVAL_MS);
      timer.unref();
      lifecycle.onShutdown('reservation-expiry', async () => {
        clearInterval(timer);
        await running;
      });
    },
  };
}
