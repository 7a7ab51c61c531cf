// The periodic order sweep: pending orders past PENDING_ORDER_TTL_MINUTES are cancelled
// (payment_timeout, shop.order.cancelled through the outbox) and their stock becomes due for
// release; then every reservation due (released or committed by a payment event, an expiry)
// is settled at offer. Offer's release and commit are idempotent, so a retry after a crash or an
// outage is safe; what offer does not confirm stays due for the next run.
import type { Database, Lifecycle, Logger } from '@shop/shared';
import { canExpire } from '../domain/order-status.js';
import { eventUserId, recordOrderEvent } from '../events.js';
import type { OfferClient } from '../offer-client.js';
import { findOrder, listExpiredOrders, listStockDue, moveOrder, setStockStatus } from '../store.js';

/** How often a running cart sweeps (and once at start). */
export const ORDER_SWEEP_INTERVAL_MS = 60_000;

export interface OrderSweepOptions {
  db: Database;
  offer: OfferClient;
  log: Logger;
  clock?: () => Date;
  /** Minutes a pending order waits for its payment before it is cancelled. */
  pendingOrderTtlMinutes: number;
  intervalMs?: number;
  /** Called once a cancellation committed its event (main.ts wakes the relay). */
  onEventsRecorded?: () => void;
}

export interface OrderSweep {
  /** One run: expire, then settle; resolves with what it did. */
  sweep(): Promise<{ cancelled: number; settled: number }>;
  /** Runs a sweep soon (after a payment event made a reservation due). */
  wake(): void;
  /** Sweeps now and every interval until the lifecycle shuts down. */
  start(lifecycle: Lifecycle): void;
}

/**
 * The sweep of expired orders and due reservations.
 * @example const sweep = createOrderSweep({ db, offer, log, pendingOrderTtlMinutes: 30 }); sweep.start(lifecycle);
 */
export function createOrderSweep(options: OrderSweepOptions): OrderSweep {
  const { db, offer, log } = options;
  const clock = options.clock ?? (() => new Date());
  let running: Promise<unknown> = Promise.resolve();
  let active = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function expire(): Promise<number> {
    const now = clock();
    const before = new Date(now.getTime() - options.pendingOrderTtlMinutes * 60_000);
    let cancelled = 0;
    for (const orderId of await listExpiredOrders(db, before)) {
      const moved = await db.transaction(async (tx) => {
        const order = await findOrder(tx, orderId, { forUpdate: true });
        if (!order || !canExpire(order.status) || order.createdAt >= before) return false;
        await moveOrder(tx, order, 'cancelled', {
          eventId: null,
          eventType: null,
          at: now,
          reason: 'payment_timeout',
        });
        await recordOrderEvent(tx, 'shop.order.cancelled', order.id, {
          orderId: order.id,
          userId: eventUserId(order.userId),
          reason: 'payment_timeout',
          cancelledBy: null,
          cancelledAt: now.toISOString(),
        });
        await setStockStatus(tx, order.id, ['reserved'], 'release_due');
        return true;
      });
      if (moved) {
        cancelled++;
        log.info({ orderId }, 'pending order expired: cancelled');
      }
    }
    if (cancelled > 0) options.onEventsRecorded?.();
    return cancelled;
  }

  async function settle(): Promise<number> {
    let settled = 0;
    for (const { orderId, stockStatus } of await listStockDue(db)) {
      const action = stockStatus === 'release_due' ? 'release' : 'commit';
      let outcome: Awaited<ReturnType<OfferClient['settleStock']>>;
      try {
        outcome = await offer.settleStock(orderId, action);
      } catch (error) {
        log.warn({ err: error, orderId, action }, 'offer did not settle the stock: retried later');
        continue;
      }
      let to: 'released' | 'committed' | 'commit_refused' | 'none';
      if (outcome === 'settled') {
        to = action === 'release' ? 'released' : 'committed';
      } else if (outcome === 'unknown') {
        log.warn({ orderId, action }, 'offer has no stock reservation for this order');
        to = 'none';
      } else if (action === 'commit') {
        // Paid after its units went back (a success after a failure or an expiry): staff look.
        log.error({ orderId }, 'paid order whose reservation was already released');
        to = 'commit_refused';
      } else {
        log.warn({ orderId }, 'release refused: the reservation is committed');
        to = 'committed';
      }
      if (await setStockStatus(db, orderId, [stockStatus], to)) settled++;
    }
    return settled;
  }

  async function sweep() {
    const cancelled = await expire();
    const settled = await settle();
    return { cancelled, settled };
  }

  /** Single flight: a wake during a run runs once more after it. */
  function run(): void {
    if (stopped) return;
    if (active) {
      again = true;
      return;
    }
    active = true;
    running = sweep()
      .catch((error: unknown) => log.warn({ err: error }, 'the order sweep failed'))
      .finally(() => {
        active = false;
        if (again) {
          again = false;
          run();
        }
      });
  }

  return {
    sweep,
    wake: run,
    start(lifecycle) {
      lifecycle.onShutdown('order-sweep', async () => {
        stopped = true;
        clearInterval(timer);
        await running;
      });
      run();
      timer = setInterval(run, options.intervalMs ?? ORDER_SWEEP_INTERVAL_MS);
      timer.unref();
    },
  };
}
