import { InvalidEventError, newId, OUTBOX_RETENTION_MS } from '@shop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStatusEvent } from './domain/build-status-event.js';
import type { OfferEvent } from './domain/offer-event.js';
import { events } from './events.js';
import { insertProduct } from './store.js';
import {
  addCategory,
  addProduct,
  countRows,
  createTestbed,
  productFixture,
  type Testbed,
} from './testing/fixtures.js';

let bed: Testbed;
let category: string;
beforeAll(async () => {
  bed = await createTestbed();
  category = await addCategory(bed.db, 'outbox');
});
afterAll(() => bed?.cleanup());

describe('recordEvent', () => {
  it('writes a catalog-valid event with its subject and partition key', async () => {
    const product = await addProduct(bed.db, { category, status: 'archived' });
    const id = await bed.db.transaction((tx) =>
      events.write(tx, buildStatusEvent(product, 'staff-1')),
    );
    const { rows } = await bed.db.query(
      'SELECT type, subject, partition_key, data FROM offer.outbox WHERE id = $1',
      [id],
    );
    expect(rows).toEqual([
      {
        type: 'shop.offer.archived',
        subject: product.id,
        partition_key: product.id,
        data: {
          productId: product.id,
          slug: product.slug,
          archivedBy: 'staff-1',
          archivedAt: product.updatedAt.toISOString(),
        },
      },
    ]);
  });

  it('refuses data the catalog refuses, rolling the whole transaction back', async () => {
    const productId = newId();
    const bad = [
      { productId, slug: 's', archivedBy: null, archivedAt: 'yesterday' },
      {
        productId: 'not-a-uuid',
        slug: 's',
        archivedBy: null,
        archivedAt: new Date().toISOString(),
      },
      { productId, slug: 's', archivedBy: null, archivedAt: new Date().toISOString(), extra: 1 },
    ];
    const before = await countRows(bed.db, 'outbox');
    for (const data of bad) {
      const event = {
        type: 'shop.offer.archived',
        subject: productId,
        partitionKey: productId,
        data,
      } as OfferEvent;
      const attempt = bed.db.transaction(async (tx) => {
        await insertProduct(tx, productFixture({ category, id: productId }));
        await events.write(tx, event);
      });
      await expect(attempt).rejects.toBeInstanceOf(InvalidEventError);
    }
    expect(await countRows(bed.db, 'outbox')).toBe(before);
    const { rows } = await bed.db.query('SELECT 1 FROM offer.product WHERE id = $1', [productId]);
    expect(rows).toHaveLength(0);
  });
});

describe('prunePublishedEvents', () => {
  it('deletes events published before the retention and never a pending one', async () => {
    const product = await addProduct(bed.db, { category });
    const write = () =>
      bed.db.transaction((tx) => events.write(tx, buildStatusEvent(product, null)));
    const [old, recent, pendingOld] = [await write(), await write(), await write()];
    const day = 24 * 60 * 60 * 1000;
    const ago = (ms: number) => new Date(Date.now() - ms);
    await bed.db.query('UPDATE offer.outbox SET published_at = $2, created_at = $2 WHERE id = $1', [
      old,
      ago(OUTBOX_RETENTION_MS + day),
    ]);
    await bed.db.query('UPDATE offer.outbox SET published_at = $2 WHERE id = $1', [
      recent,
      ago(day),
    ]);
    await bed.db.query('UPDATE offer.outbox SET created_at = $2 WHERE id = $1', [
      pendingOld,
      ago(OUTBOX_RETENTION_MS * 2),
    ]);

    expect(await events.prune(bed.db)).toBe(1);
    const { rows } = await bed.db.query<{ id: string }>(
      'SELECT id FROM offer.outbox WHERE id = ANY($1::uuid[]) ORDER BY id',
      [[old, recent, pendingOld]],
    );
    expect(rows.map((row) => row.id)).toEqual([recent, pendingOld]);
  });
});
