// SQL of the analytics_ingest schema: sources (write keys stored hashed) and their counters.
import type { Database, Queryable } from '@shop/shared';

/** An analytics source as staff see it. */
export interface Source {
  id: string;
  name: string;
  site: string | null;
  keyHint: string;
  createdAt: Date;
  createdBy: string | null;
  revokedAt: Date | null;
  revokedBy: string | null;
}

/** A source's events by outcome (rejections by reason). */
export interface SourceCounts {
  accepted: number;
  deduped: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
}

interface SourceRow {
  id: string;
  name: string;
  site: string | null;
  key_hint: string;
  created_at: Date;
  created_by: string | null;
  revoked_at: Date | null;
  revoked_by: string | null;
}

const COLUMNS = 'id, name, site, key_hint, created_at, created_by, revoked_at, revoked_by';

function toSource(row: SourceRow): Source {
  return {
    id: row.id,
    name: row.name,
    site: row.site,
    keyHint: row.key_hint,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  };
}

/** Inserts a source; false when a live source already has that name. */
export async function insertSource(
  db: Queryable,
  source: Source & { keyHash: string },
): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO analytics_ingest.source (id, name, site, key_hash, key_hint, created_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (lower(name)) WHERE revoked_at IS NULL DO NOTHING
     RETURNING id`,
    [
      source.id,
      source.name,
      source.site,
      source.keyHash,
      source.keyHint,
      source.createdAt,
      source.createdBy,
    ],
  );
  return rows.length === 1;
}

/** The live source of a write key's hash, or undefined (unknown or revoked). */
export async function findLiveSourceByKeyHash(
  db: Queryable,
  keyHash: string,
): Promise<{ id: string } | undefined> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM analytics_ingest.source WHERE key_hash = $1 AND revoked_at IS NULL',
    [keyHash],
  );
  return rows[0];
}

/** Sources, live ones first, newest first. */
export async function listSources(db: Queryable): Promise<Source[]> {
  const { rows } = await db.query<SourceRow>(
    `SELECT ${COLUMNS} FROM analytics_ingest.source
     ORDER BY (revoked_at IS NULL) DESC, created_at DESC, id DESC LIMIT 1000`,
  );
  return rows.map(toSource);
}

export async function findSource(
  db: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Source | undefined> {
  const { rows } = await db.query<SourceRow>(
    `SELECT ${COLUMNS} FROM analytics_ingest.source WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] && toSource(rows[0]);
}

/** Revokes a live source; the source after the change, or undefined when there is none. */
export async function revokeSource(
  db: Queryable,
  id: string,
  revokedBy: string,
  at: Date,
): Promise<Source | undefined> {
  const { rows } = await db.query<SourceRow>(
    `UPDATE analytics_ingest.source SET revoked_at = COALESCE(revoked_at, $3),
       revoked_by = COALESCE(revoked_by, $2)
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, revokedBy, at],
  );
  return rows[0] && toSource(rows[0]);
}

/** One counter increment: `count` events of a source with an outcome (and reason). */
export interface CounterIncrement {
  sourceId: string;
  outcome: 'accepted' | 'deduped' | 'rejected';
  reason: string;
  count: number;
}

/** Adds increments to the counters (one statement). */
export async function addCounts(db: Database, increments: CounterIncrement[]): Promise<void> {
  if (increments.length === 0) return;
  const values: unknown[] = [];
  const tuples = increments.map((inc, i) => {
    values.push(inc.sourceId, inc.outcome, inc.reason, inc.count);
    return `($${i * 4 + 1}::uuid, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4}::bigint)`;
  });
  await db.query(
    `INSERT INTO analytics_ingest.source_counter (source_id, outcome, reason, count)
     VALUES ${tuples.join(', ')}
     ON CONFLICT (source_id, outcome, reason)
     DO UPDATE SET count = analytics_ingest.source_counter.count + EXCLUDED.count, updated_at = now()`,
    values,
  );
}

/** The counters of the given sources. */
export async function countsOf(
  db: Queryable,
  sourceIds: string[],
): Promise<Map<string, SourceCounts>> {
  const counts = new Map<string, SourceCounts>();
  for (const id of sourceIds) {
    counts.set(id, { accepted: 0, deduped: 0, rejected: 0, rejectedByReason: {} });
  }
  if (sourceIds.length === 0) return counts;
  const { rows } = await db.query<{
    source_id: string;
    outcome: 'accepted' | 'deduped' | 'rejected';
    reason: string;
    count: number;
  }>(
    `SELECT source_id, outcome, reason, count FROM analytics_ingest.source_counter
     WHERE source_id = ANY($1::uuid[])`,
    [sourceIds],
  );
  for (const row of rows) {
    const entry = counts.get(row.source_id);
    if (!entry) continue;
    entry[row.outcome] += row.count;
    if (row.outcome === 'rejected') {
      entry.rejectedByReason[row.reason] = (entry.rejectedByReason[row.reason] ?? 0) + row.count;
    }
  }
  return counts;
}
