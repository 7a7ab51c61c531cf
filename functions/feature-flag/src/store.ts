// SQL of the feature_flag schema: flags per environment, their history, scheduled changes.
import type { Queryable } from '@shop/shared';
import type { JsonChange } from './domain/diff-json.js';
import type {
  Environment,
  FlagDefinition,
  FlagMetadata,
  FlagSetDocument,
  Json,
} from './domain/flag-types.js';
import { FLAGD_SCHEMA_URL } from './domain/flag-types.js';

/** A stored flag of one environment. */
export interface FlagRow {
  environment: Environment;
  key: string;
  definition: FlagDefinition;
  version: number;
  archivedAt: Date | null;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
}

/** The shared part of an environment's flag set. */
export interface FlagSetRow {
  evaluators: Record<string, Json>;
  metadata: FlagMetadata;
  revision: number;
}

/** One entry of a flag's history. */
export interface HistoryRow {
  id: number;
  version: number;
  change: 'created' | 'updated' | 'archived' | 'imported';
  before: FlagDefinition | null;
  after: FlagDefinition | null;
  diff: JsonChange[];
  changedBy: string;
  changedAt: Date;
}

/** A scheduled change of a flag. */
export interface ScheduledRow {
  id: string;
  environment: Environment;
  key: string;
  runAt: Date;
  change: { rolloutPercent?: number; state?: 'ENABLED' | 'DISABLED' };
  createdBy: string;
  createdAt: Date;
  appliedAt: Date | null;
  cancelledAt: Date | null;
  outcome: string | null;
}

const FLAG_COLUMNS = `environment, key, definition, version, archived_at AS "archivedAt",
  created_at AS "createdAt", created_by AS "createdBy", updated_at AS "updatedAt",
  updated_by AS "updatedBy"`;

/** The environment's set row, locked for the rest of the transaction when `lock`. */
export async function readFlagSetRow(
  q: Queryable,
  environment: Environment,
  lock = false,
): Promise<FlagSetRow> {
  const { rows } = await q.query<FlagSetRow>(
    `SELECT evaluators, metadata, revision FROM feature_flag.flag_set WHERE environment = $1${lock ? ' FOR UPDATE' : ''}`,
    [environment],
  );
  const row = rows[0];
  if (!row) throw new Error(`no flag set for environment ${environment}`);
  return row;
}

/** The revision alone: the cheap check of whether a loaded copy is current. */
export async function readRevision(q: Queryable, environment: Environment): Promise<number> {
  return (await readFlagSetRow(q, environment)).revision;
}

/** The environment's live flags, oldest first. */
export async function listFlags(
  q: Queryable,
  environment: Environment,
  options: { includeArchived?: boolean } = {},
): Promise<FlagRow[]> {
  const { rows } = await q.query<FlagRow>(
    `SELECT ${FLAG_COLUMNS} FROM feature_flag.flag WHERE environment = $1
       ${options.includeArchived ? '' : 'AND archived_at IS NULL'} ORDER BY key`,
    [environment],
  );
  return rows;
}

/** The flagd document of an environment: what instances evaluate and export returns. */
export async function readFlagSet(
  q: Queryable,
  environment: Environment,
): Promise<{ revision: number; document: FlagSetDocument }> {
  const set = await readFlagSetRow(q, environment);
  const flags = await listFlags(q, environment);
  return { revision: set.revision, document: toDocument(set, flags) };
}

/** Builds a flagd document; `$evaluators` and `metadata` only when they hold something. */
export function toDocument(set: Omit<FlagSetRow, 'revision'>, flags: FlagRow[]): FlagSetDocument {
  return {
    $schema: FLAGD_SCHEMA_URL,
    flags: Object.fromEntries(flags.map((flag) => [flag.key, flag.definition])),
    ...(Object.keys(set.evaluators).length > 0 && { $evaluators: set.evaluators }),
    ...(Object.keys(set.metadata).length > 0 && { metadata: set.metadata }),
  };
}

export async function getFlag(
  q: Queryable,
  environment: Environment,
  key: string,
  lock = false,
): Promise<FlagRow | null> {
  const { rows } = await q.query<FlagRow>(
    `SELECT ${FLAG_COLUMNS} FROM feature_flag.flag WHERE environment = $1 AND key = $2${lock ? ' FOR UPDATE' : ''}`,
    [environment, key],
  );
  return rows[0] ?? null;
}

/** Inserts or replaces a flag (version given by the caller) and returns it. */
export async function writeFlag(
  q: Queryable,
  row: {
    environment: Environment;
    key: string;
    definition: FlagDefinition;
    version: number;
    archived: boolean;
    by: string;
    now: Date;
  },
): Promise<FlagRow> {
  const { rows } = await q.query<FlagRow>(
    `INSERT INTO feature_flag.flag
       (environment, key, definition, version, archived_at, created_at, created_by, updated_at, updated_by)
     VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN $6::timestamptz END, $6, $7, $6, $7)
     ON CONFLICT (environment, key) DO UPDATE SET definition = EXCLUDED.definition,
       version = EXCLUDED.version, archived_at = EXCLUDED.archived_at,
       updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
     RETURNING ${FLAG_COLUMNS}`,
    [
      row.environment,
      row.key,
      JSON.stringify(row.definition),
      row.version,
      row.archived,
      row.now,
      row.by,
    ],
  );
  return rows[0] as FlagRow;
}

/** Writes the set-level parts (import) and bumps the revision; returns the new revision. */
export async function bumpRevision(
  q: Queryable,
  environment: Environment,
  now: Date,
  shared?: { evaluators: Record<string, Json>; metadata: FlagMetadata },
): Promise<number> {
  const { rows } = await q.query<{ revision: number }>(
    `UPDATE feature_flag.flag_set SET revision = revision + 1, updated_at = $2
       ${shared ? ', evaluators = $3, metadata = $4' : ''}
     WHERE environment = $1 RETURNING revision`,
    shared
      ? [environment, now, JSON.stringify(shared.evaluators), JSON.stringify(shared.metadata)]
      : [environment, now],
  );
  return (rows[0] as { revision: number }).revision;
}

export async function appendHistory(
  q: Queryable,
  entry: {
    environment: Environment;
    key: string;
    version: number;
    change: HistoryRow['change'];
    before: FlagDefinition | null;
    after: FlagDefinition | null;
    diff: JsonChange[];
    by: string;
    now: Date;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO feature_flag.flag_history
       (environment, key, version, change, before, after, diff, changed_by, changed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      entry.environment,
      entry.key,
      entry.version,
      entry.change,
      entry.before && JSON.stringify(entry.before),
      entry.after && JSON.stringify(entry.after),
      JSON.stringify(entry.diff),
      entry.by,
      entry.now,
    ],
  );
}

/** A flag's history, newest first, before the entry `beforeId` when given. */
export async function listHistory(
  q: Queryable,
  environment: Environment,
  key: string,
  options: { limit: number; beforeId?: number },
): Promise<HistoryRow[]> {
  const { rows } = await q.query<HistoryRow>(
    `SELECT id, version, change, before, after, diff, changed_by AS "changedBy", changed_at AS "changedAt"
       FROM feature_flag.flag_history
      WHERE environment = $1 AND key = $2 AND ($3::bigint IS NULL OR id < $3)
      ORDER BY id DESC LIMIT $4`,
    [environment, key, options.beforeId ?? null, options.limit],
  );
  return rows;
}

const SCHEDULED_COLUMNS = `id, environment, key, run_at AS "runAt", change, created_by AS "createdBy",
  created_at AS "createdAt", applied_at AS "appliedAt", cancelled_at AS "cancelledAt", outcome`;

export async function insertScheduled(
  q: Queryable,
  row: Pick<ScheduledRow, 'id' | 'environment' | 'key' | 'runAt' | 'change' | 'createdBy'> & {
    now: Date;
  },
): Promise<ScheduledRow> {
  const { rows } = await q.query<ScheduledRow>(
    `INSERT INTO feature_flag.scheduled_change (id, environment, key, run_at, change, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${SCHEDULED_COLUMNS}`,
    [
      row.id,
      row.environment,
      row.key,
      row.runAt,
      JSON.stringify(row.change),
      row.createdBy,
      row.now,
    ],
  );
  return rows[0] as ScheduledRow;
}

export async function listScheduled(
  q: Queryable,
  environment: Environment,
  key: string,
): Promise<ScheduledRow[]> {
  const { rows } = await q.query<ScheduledRow>(
    `SELECT ${SCHEDULED_COLUMNS} FROM feature_flag.scheduled_change
      WHERE environment = $1 AND key = $2 ORDER BY run_at, id`,
    [environment, key],
  );
  return rows;
}

/** Cancels a pending scheduled change; false when none is pending under that id. */
export async function cancelScheduled(
  q: Queryable,
  environment: Environment,
  key: string,
  id: string,
  now: Date,
): Promise<boolean> {
  const { rows } = await q.query(
    `UPDATE feature_flag.scheduled_change SET cancelled_at = $4, outcome = 'cancelled'
      WHERE environment = $1 AND key = $2 AND id = $3 AND applied_at IS NULL AND cancelled_at IS NULL
      RETURNING id`,
    [environment, key, id, now],
  );
  return rows.length > 0;
}

/** Locks the next due change (other instances skip it) inside the caller's transaction. */
export async function claimDueScheduled(
  q: Queryable,
  environment: Environment,
  now: Date,
): Promise<ScheduledRow | null> {
  const { rows } = await q.query<ScheduledRow>(
    `SELECT ${SCHEDULED_COLUMNS} FROM feature_flag.scheduled_change
      WHERE environment = $1 AND run_at <= $2 AND applied_at IS NULL AND cancelled_at IS NULL
      ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [environment, now],
  );
  return rows[0] ?? null;
}

export async function finishScheduled(
  q: Queryable,
  id: string,
  now: Date,
  outcome: string,
): Promise<void> {
  await q.query(
    'UPDATE feature_flag.scheduled_change SET applied_at = $2, outcome = $3 WHERE id = $1',
    [id, now, outcome.slice(0, 500)],
  );
}
