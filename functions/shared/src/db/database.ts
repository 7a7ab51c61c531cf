/** A row set as both drivers return it. */
export interface QueryResult<Row> {
  rows: Row[];
  /** Rows changed by INSERT/UPDATE/DELETE, or returned by SELECT. */
  rowCount: number;
}

/** Anything that runs parameterised SQL: a database or an open transaction. */
export interface Queryable {
  /**
   * Runs one statement with `$1…$n` parameters.
   * @example const { rows } = await db.query<{ id: string }>('SELECT id FROM offer.product WHERE slug = $1', [slug]);
   */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
  /** Runs several statements without parameters (migrations, fixtures). */
  exec(sql: string): Promise<void>;
}

/**
 * The records store of a function: PostgreSQL through `pg` in production, PGlite embedded in
 * dev and unit tests. Both parse int8 as a JS number, numeric as a string, timestamptz as Date
 * and json/jsonb as values.
 */
export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `work` in one transaction: COMMIT when it resolves, ROLLBACK when it throws.
   * @example await db.transaction(async (tx) => { await tx.query('UPDATE …'); await tx.query('INSERT …'); });
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Answers when the database accepts a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** PostgreSQL error codes the functions react to. */
export const PgErrorCode = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  serializationFailure: '40001',
} as const;

/** The SQLSTATE of a driver error, if it has one. */
export function pgErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** int8 comes back as a number; refuse silently losing precision. */
export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} is not a safe integer`);
  return n;
}
