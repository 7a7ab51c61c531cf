// The zones whose daily aggregates are kept: the configured ones. A zone added to the config
// is backfilled from the facts at start; one removed is dropped. The table lock makes events in
// flight wait (projectEvent reads the zones FOR SHARE), so none is missed or counted twice.
import type { Database } from '@shop/shared';

/**
 * Makes `zones` exactly the kept zones, backfilling the new ones; returns those added.
 * @example await keepZones(db, ['UTC', 'Europe/Berlin']);
 */
export async function keepZones(db: Database, zones: readonly string[]): Promise<string[]> {
  // The usual start: nothing to change, so no lock that would hold events back.
  const current = await db.query<{ zone: string }>('SELECT zone FROM reporting.aggregate_zones');
  const kept = new Set(current.rows.map((r) => r.zone));
  const wanted = new Set(zones);
  if (kept.size === wanted.size && [...wanted].every((zone) => kept.has(zone))) return [];
  return db.transaction(async (tx) => {
    await tx.exec('LOCK TABLE reporting.aggregate_zones IN EXCLUSIVE MODE');
    const { rows } = await tx.query<{ zone: string }>('SELECT zone FROM reporting.aggregate_zones');
    const kept = new Set(rows.map((r) => r.zone));
    const dropped = [...kept].filter((zone) => !zones.includes(zone));
    const added = zones.filter((zone) => !kept.has(zone));
    if (dropped.length > 0) {
      await tx.query('DELETE FROM reporting.daily_sales WHERE zone = ANY($1::text[])', [dropped]);
      await tx.query('DELETE FROM reporting.daily_sessions WHERE zone = ANY($1::text[])', [
        dropped,
      ]);
      await tx.query('DELETE FROM reporting.aggregate_zones WHERE zone = ANY($1::text[])', [
        dropped,
      ]);
    }
    for (const zone of added) {
      await tx.query('INSERT INTO reporting.aggregate_zones (zone) VALUES ($1)', [zone]);
      await tx.query(
        `INSERT INTO reporting.daily_sales (zone, day, currency, orders, revenue, refunds, refunded)
         SELECT $1, day, currency, sum(orders), sum(revenue), sum(refunds), sum(refunded)
           FROM (SELECT (paid_at AT TIME ZONE $1)::date AS day, currency, 1 AS orders,
                        revenue, 0 AS refunds, 0::bigint AS refunded
                   FROM reporting.sales
                 UNION ALL
                 SELECT (refunded_at AT TIME ZONE $1)::date, currency, 0, 0::bigint, 1, amount
                   FROM reporting.refunds_counted) AS facts
          GROUP BY day, currency`,
        [zone],
      );
      await tx.query(
        `INSERT INTO reporting.daily_sessions (zone, day, sessions)
         SELECT $1, (viewed_at AT TIME ZONE $1)::date, count(*)
           FROM reporting.page_views WHERE session_start GROUP BY 2`,
        [zone],
      );
    }
    return added;
  });
}
