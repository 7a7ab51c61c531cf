import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageView } from '../testing/synthetic-month.js';
import { createTestbed, deliverAll, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed(['UTC']);
});
afterAll(() => bed.cleanup());

const sessions = async (visitor: string) => {
  const { rows } = await bed.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM reporting.page_views
      WHERE session_start AND visitor_key LIKE '%:' || $1`,
    [visitor],
  );
  const total = await bed.db.query<{ n: number }>(
    `SELECT coalesce(sum(sessions), 0)::int AS n FROM reporting.daily_sessions WHERE zone = 'UTC'`,
  );
  return { starts: rows[0]?.n, aggregated: total.rows[0]?.n };
};

describe('sessions from page views', () => {
  it('merges two sessions when a late page view closes the gap between them', async () => {
    await deliverAll(bed, [
      pageView('late-1', '2026-05-01T10:00:00.000Z'),
      pageView('late-1', '2026-05-01T09:00:00.000Z'),
      pageView('late-1', '2026-05-01T09:20:00.000Z'),
    ]);
    expect(await sessions('late-1')).toEqual({ starts: 2, aggregated: 2 });
    await deliverAll(bed, [pageView('late-1', '2026-05-01T09:45:00.000Z')]);
    expect(await sessions('late-1')).toEqual({ starts: 1, aggregated: 1 });
  });
});
