import type { Database } from '@shop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayEvents } from '../replay/replay.js';
import { allReports } from '../testing/all-reports.js';
import {
  identify,
  orderCreated,
  PRODUCT,
  pageView,
  paymentSucceeded,
  syntheticMonth,
  USER,
  userErased,
  uuid,
} from '../testing/synthetic-month.js';
import {
  createTestbed,
  deliverAll,
  type Testbed,
  type TestEvent,
  ZONES,
} from '../testing/testbed.js';

/** Every row of every reporting table whose text holds `needle`, as `table: row`. */
async function rowsNaming(db: Database, needle: string): Promise<string[]> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'reporting' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const found: string[] = [];
  for (const { table_name: table } of tables) {
    const { rows } = await db.query<{ row: string }>(
      `SELECT t::text AS row FROM reporting.${table} t WHERE t::text LIKE '%' || $1 || '%'`,
      [needle],
    );
    found.push(...rows.map((r) => `${table}: ${r.row}`));
  }
  return found;
}

const ALICE_IDS = [USER.alice, 'anon-1'];
const month = syntheticMonth();
const erasure = userErased(USER.alice, '2026-04-02T08:00:00.000Z');

let bed: Testbed;
let before: string;
beforeAll(async () => {
  bed = await createTestbed();
  await deliverAll(bed, month);
  before = await allReports(bed);
});
afterAll(() => bed.cleanup());

describe('erasure in the reports', () => {
  it('leaves no id of the erased shopper in any table, and every report byte for byte as it was', async () => {
    for (const id of ALICE_IDS) expect(await rowsNaming(bed.db, id), id).not.toEqual([]);
    await deliverAll(bed, [erasure]);
    for (const id of ALICE_IDS) expect(await rowsNaming(bed.db, id), id).toEqual([]);
    // Her sale (order A, paid, attributed, in an experiment) counts as before, in every report.
    expect(await allReports(bed)).toBe(before);
    // Another shopper keeps their id.
    expect(await rowsNaming(bed.db, USER.bob)).not.toEqual([]);
    // The same erasure again, delivered anew, changes nothing.
    await deliverAll(bed, [{ ...erasure, id: uuid(0xeeee1) }]);
    expect(await allReports(bed)).toBe(before);
  });

  it('takes in nothing of the erased shopper that arrives later; what they buy still counts, without them', async () => {
    const order = uuid(0x3ff);
    await deliverAll(bed, [
      // A late page view of her anonymous id, and a visitor identified as her after the erasure.
      pageView('anon-1', '2026-04-05T09:00:00.000Z'),
      pageView('anon-9', '2026-04-05T10:00:00.000Z'),
      identify('anon-9', '2026-04-05T10:01:00.000Z', USER.alice),
      orderCreated(order, [lampLine()], '2026-04-05T10:05:00.000Z', USER.alice),
      paymentSucceeded(uuid(0x4ff), order, 500, '2026-04-05T10:06:00.000Z'),
    ]);
    for (const id of [...ALICE_IDS, 'anon-9']) expect(await rowsNaming(bed.db, id), id).toEqual([]);
    // anon-9's page view came before the identify: it stays counted, under a pseudonym; the
    // late one of anon-1 was not taken in.
    const april = await (
      await bed.get(
        '/api/admin/reports/conversion?interval=month&zone=UTC&from=2026-04-01&to=2026-04-30',
      )
    ).json();
    expect(april).toMatchObject({ rows: [{ period: '2026-04-01', sessions: 1, orders: 1 }] });
    const { rows } = await bed.db.query<{ user_id: string | null }>(
      'SELECT user_id FROM reporting.orders WHERE order_id = $1',
      [order],
    );
    expect(rows).toEqual([{ user_id: null }]);
  });

  it('replays the erasure to the same reports, again with no id of the shopper', async () => {
    const live = await createTestbed();
    const replayed = await createTestbed();
    try {
      await deliverAll(live, [...month, erasure]);
      const result = await replayEvents(
        replayed.db,
        [...month, erasure].map((e: TestEvent) => JSON.stringify(e)),
        { zones: ZONES },
      );
      expect(result.refused).toEqual([]);
      expect(await allReports(replayed)).toBe(await allReports(live));
      expect(await allReports(replayed)).toBe(before);
      for (const id of ALICE_IDS) expect(await rowsNaming(replayed.db, id), id).toEqual([]);
    } finally {
      await live.cleanup();
      await replayed.cleanup();
    }
  });
});

function lampLine() {
  return {
    productId: PRODUCT.lamp,
    slug: 'brass-lamp',
    name: 'brass lamp',
    quantity: 1,
    unitPrice: { amount: 500, currency: 'EUR' },
  };
}
