import { pruneTable } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { describe, expect, it } from 'vitest';
import { cart } from './main.js';
import { retention } from './retention.js';

describe('cart retention', () => {
  it('forgets payment events that never found their order and idempotency keys after 30 days', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      await cart.applyMigrations(db);
      for (const [id, daysAgo] of [
        ['old', 31],
        ['new', 29],
      ] as const) {
        await db.query(
          `INSERT INTO cart.pending_payment_event
             (event_source, event_id, order_id, type, data, received_at)
           VALUES ('/shop/conversion-webhook', $1, $2, 'shop.payment.succeeded', '{}',
                   now() - make_interval(days => $3))`,
          [id, crypto.randomUUID(), daysAgo],
        );
        await db.query(
          `INSERT INTO cart.idempotency_key (user_id, key, request_hash, status, created_at, updated_at)
           VALUES ('u', $1, 'h', 'done', now() - make_interval(days => $2),
                   now() - make_interval(days => $2))`,
          [id, daysAgo],
        );
      }
      for (const rule of retention) await pruneTable(db, rule);
      const pending = await db.query('SELECT event_id FROM cart.pending_payment_event');
      expect(pending.rows).toEqual([{ event_id: 'new' }]);
      const keys = await db.query('SELECT key FROM cart.idempotency_key');
      expect(keys.rows).toEqual([{ key: 'new' }]);
    } finally {
      await cleanup();
    }
  });
});
