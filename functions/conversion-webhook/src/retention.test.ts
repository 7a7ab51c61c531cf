import { pruneTable } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { describe, expect, it } from 'vitest';
import { conversionWebhook } from './main.js';
import { retention } from './retention.js';

describe('conversion-webhook retention', () => {
  it('forgets provider events after 30 days (unmatched after 90), keeping newer ones and those a refund names', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      await conversionWebhook.applyMigrations(db);
      const paymentId = crypto.randomUUID();
      await db.query(
        `INSERT INTO conversion_webhook.payment (id, provider, provider_payment_id)
         VALUES ($1, 'stripe', 'pi_1')`,
        [paymentId],
      );
      const events: [name: string, status: string, daysAgo: number][] = [
        ['processed-31d', 'processed', 31],
        ['ignored-31d', 'ignored', 31],
        ['processed-29d', 'processed', 29],
        ['refund-200d', 'processed', 200],
        ['unmatched-31d', 'unmatched', 31],
        ['unmatched-91d', 'unmatched', 91],
      ];
      const ids = new Map<string, string>();
      for (const [name, status, daysAgo] of events) {
        const id = crypto.randomUUID();
        ids.set(name, id);
        await db.query(
          `INSERT INTO conversion_webhook.provider_event
             (id, provider, event_id, type, status, payload, signed_at, received_at)
           VALUES ($1, 'stripe', $2, 'charge.succeeded', $3, '{}', now(),
                   now() - make_interval(days => $4))`,
          [id, `evt_${name}`, status, daysAgo],
        );
      }
      await db.query(
        `INSERT INTO conversion_webhook.refund
           (provider, provider_refund_id, payment_id, amount, currency, provider_event_id)
         VALUES ('stripe', 're_1', $1, 100, 'EUR', $2)`,
        [paymentId, ids.get('refund-200d')],
      );
      for (const rule of retention) await pruneTable(db, rule);
      const { rows } = await db.query<{ event_id: string }>(
        'SELECT event_id FROM conversion_webhook.provider_event ORDER BY event_id',
      );
      expect(rows.map((row) => row.event_id)).toEqual([
        'evt_processed-29d',
        'evt_refund-200d',
        'evt_unmatched-31d',
      ]);
    } finally {
      await cleanup();
    }
  });
});
