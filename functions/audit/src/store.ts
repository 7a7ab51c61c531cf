// SQL of the audit schema: the append (behind the single sequencer), the reads of the listing,
// and the leaf hashes proofs and checkpoints are built from.
import type { Database, Queryable } from '@shop/shared';
import { type AuditEntry, type AuditRecord, entryLeafHash } from './domain/audit-record.js';

interface EntryRow {
  idx: number;
  source: string;
  event_id: string;
  action: string;
  actor: string | null;
  target_type: string;
  target_id: string;
  before: unknown;
  after: unknown;
  request_id: string | null;
  trace_id: string | null;
  occurred_at: Date;
  recorded_at: Date;
  leaf_hash: Uint8Array;
}

/** A stored entry and the leaf hash stored beside it. */
export interface StoredEntry extends AuditEntry {
  leafHash: Buffer;
}

const COLUMNS =
  'idx, source, event_id, action, actor, target_type, target_id, before, after, request_id, ' +
  'trace_id, occurred_at, recorded_at, leaf_hash';

function entryOf(row: EntryRow): StoredEntry {
  return {
    index: row.idx,
    source: row.source,
    eventId: row.event_id,
    action: row.action,
    actor: row.actor,
    targetType: row.target_type,
    targetId: row.target_id,
    before: row.before ?? null,
    after: row.after ?? null,
    requestId: row.request_id,
    traceId: row.trace_id,
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    leafHash: Buffer.from(row.leaf_hash),
  };
}

/**
 * Appends the entry of an event at the next index, in `tx`: the head row is locked first, so
 * one append at a time takes an index. An event already recorded (same source and id) is not
 * appended again; its index is returned.
 * @example await appendEntry(tx, { source, eventId, record, recordedAt: new Date() });
 */
export async function appendEntry(
  tx: Queryable,
  input: { source: string; eventId: string; record: AuditRecord; recordedAt: Date },
): Promise<{ index: number; appended: boolean }> {
  const head = await tx.query<{ size: number }>(
    'SELECT size FROM audit.log_head WHERE singleton FOR UPDATE',
  );
  const size = head.rows[0]?.size;
  if (size === undefined) throw new Error('audit.log_head has no row: run the migrations');
  const existing = await tx.query<{ idx: number }>(
    'SELECT idx FROM audit.entry WHERE source = $1 AND event_id = $2',
    [input.source, input.eventId],
  );
  if (existing.rows[0]) return { index: existing.rows[0].idx, appended: false };
  const entry: AuditEntry = {
    ...input.record,
    index: size,
    source: input.source,
    eventId: input.eventId,
    recordedAt: input.recordedAt.toISOString(),
  };
  const { record } = input;
  await tx.query(
    `INSERT INTO audit.entry (${COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      size,
      input.source,
      input.eventId,
      record.action,
      record.actor,
      record.targetType,
      record.targetId,
      record.before === null ? null : JSON.stringify(record.before),
      record.after === null ? null : JSON.stringify(record.after),
      record.requestId,
      record.traceId,
      record.occurredAt,
      entry.recordedAt,
      entryLeafHash(entry),
    ],
  );
  await tx.query('UPDATE audit.log_head SET size = $1 WHERE singleton', [size + 1]);
  return { index: size, appended: true };
}

/** The number of entries the sequencer has handed out. */
export async function logSize(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ size: number }>('SELECT size FROM audit.log_head');
  return rows[0]?.size ?? 0;
}

/** The stored leaf hashes of indexes 0…size-1, in order (proofs and tree heads). */
export async function leafHashes(db: Queryable, size: number): Promise<Buffer[]> {
  const { rows } = await db.query<{ leaf_hash: Uint8Array }>(
    'SELECT leaf_hash FROM audit.entry WHERE idx < $1 ORDER BY idx',
    [size],
  );
  return rows.map((row) => Buffer.from(row.leaf_hash));
}

/** Every stored entry in index order, a batch at a time (verify). */
export async function* allEntries(db: Database, batch = 1_000): AsyncGenerator<StoredEntry> {
  let after = -1;
  for (;;) {
    const { rows } = await db.query<EntryRow>(
      `SELECT ${COLUMNS} FROM audit.entry WHERE idx > $1 ORDER BY idx LIMIT $2`,
      [after, batch],
    );
    for (const row of rows) yield entryOf(row);
    if (rows.length < batch) return;
    after = (rows.at(-1) as EntryRow).idx;
  }
}

/** The filters of the listing; all optional, combined with AND. */
export interface EntryFilter {
  actor?: string | undefined;
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/**
 * A page of entries, newest first, matching `filter`, below index `before` when given.
 * @example await listEntries(db, { actor: 'staff-1' }, { limit: 50 })
 */
export async function listEntries(
  db: Queryable,
  filter: EntryFilter,
  page: { limit: number; before?: number | undefined },
): Promise<StoredEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.actor !== undefined) add('actor = ?', filter.actor);
  if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.targetType !== undefined) add('target_type = ?', filter.targetType);
  if (filter.targetId !== undefined) add('target_id = ?', filter.targetId);
  if (filter.from !== undefined) add('occurred_at >= ?', filter.from);
  if (filter.to !== undefined) add('occurred_at < ?', filter.to);
  if (page.before !== undefined) add('idx < ?', page.before);
  params.push(page.limit);
  const { rows } = await db.query<EntryRow>(
    `SELECT ${COLUMNS} FROM audit.entry ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY idx DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(entryOf);
}
