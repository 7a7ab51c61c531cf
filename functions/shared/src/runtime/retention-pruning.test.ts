import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../db/database.js';
import { Lifecycle } from '../lifecycle.js';
import { silentLogger } from '../logger.js';
import { testDatabase } from '../testing/index.js';
import { createRetentionPruning, pruneTable, type RetentionRule } from './retention-pruning.js';

let db: Database;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await testDatabase());
  await db.exec(`
    CREATE SCHEMA kept;
    CREATE TABLE kept.received (
      id text PRIMARY KEY, status text NOT NULL, received_at timestamptz NOT NULL
    );
    CREATE TABLE kept.session (id text PRIMARY KEY, expires_at timestamptz);`);
});
afterAll(() => cleanup());

const DAY = 24 * 3600 * 1000;
const now = new Date('2026-06-01T12:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);

async function seed(rows: [id: string, status: string, daysAgo: number][]) {
  await db.query('DELETE FROM kept.received');
  for (const [id, status, daysAgo] of rows) {
    await db.query('INSERT INTO kept.received VALUES ($1, $2, $3)', [id, status, ago(daysAgo)]);
  }
}
const ids = async () =>
  (await db.query<{ id: string }>('SELECT id FROM kept.received ORDER BY id')).rows.map(
    (row) => row.id,
  );

const received: RetentionRule = {
  table: 'kept.received',
  column: 'received_at',
  keepDays: 30,
  why: 'providers retry for 3 days',
};

describe('pruneTable', () => {
  it('deletes rows older than the retention and keeps the newer ones', async () => {
    await seed([
      ['a-old', 'processed', 31],
      ['b-edge', 'processed', 29.9],
      ['c-new', 'processed', 1],
    ]);
    expect(await pruneTable(db, received, now)).toBe(1);
    expect(await ids()).toEqual(['b-edge', 'c-new']);
  });

  it('deletes only rows that also meet the rule’s condition', async () => {
    await seed([
      ['a-old', 'processed', 40],
      ['b-old-unmatched', 'unmatched', 40],
    ]);
    const deleted = await pruneTable(db, { ...received, where: "status <> 'unmatched'" }, now);
    expect(deleted).toBe(1);
    expect(await ids()).toEqual(['b-old-unmatched']);
  });

  it('deletes a large backlog in batches until none is left', async () => {
    await db.query('DELETE FROM kept.received');
    await db.query(
      `INSERT INTO kept.received
         SELECT 'r' || g, 'processed', $1 FROM generate_series(1, 12000) AS g`,
      [ago(90)],
    );
    expect(await pruneTable(db, received, now)).toBe(12_000);
    expect(await ids()).toEqual([]);
  });

  it('keeps rows whose timestamp is null, and refuses names that are not plain identifiers', async () => {
    await db.query(`INSERT INTO kept.session VALUES ('open', NULL), ('gone', $1)`, [ago(60)]);
    const sessions = { table: 'kept.session', column: 'expires_at', keepDays: 30, why: 'x' };
    expect(await pruneTable(db, sessions, now)).toBe(1);
    await expect(pruneTable(db, { ...sessions, table: 'kept.session; DROP' }, now)).rejects.toThrow(
      /invalid table name/,
    );
    await expect(pruneTable(db, { ...sessions, column: 'a b' }, now)).rejects.toThrow(
      /invalid column name/,
    );
    await expect(pruneTable(db, { ...sessions, keepDays: 0 }, now)).rejects.toThrow(/keepDays/);
  });
});

describe('createRetentionPruning', () => {
  it('prunes at start and on its interval, logs a failing rule and goes on, and stops at shutdown', async () => {
    await seed([
      ['a-old', 'processed', 31],
      ['b-new', 'processed', 1],
    ]);
    const lifecycle = new Lifecycle();
    const log = silentLogger();
    const warn = vi.spyOn(log, 'warn');
    const pruning = createRetentionPruning({
      db,
      log,
      lifecycle,
      clock: () => now,
      intervalMs: 20,
      rules: [{ ...received, table: 'kept.missing' }, received],
    });
    pruning.start();
    await vi.waitFor(async () => expect(await ids()).toEqual(['b-new']));
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ table: 'kept.missing' }),
      'pruning old rows failed',
    );
    // The interval runs again: a row that aged meanwhile goes too.
    await db.query('INSERT INTO kept.received VALUES ($1, $2, $3)', ['c-old', 'x', ago(45)]);
    await vi.waitFor(async () => expect(await ids()).toEqual(['b-new']));
    await lifecycle.runShutdownHooks(() => {});
    await db.query('INSERT INTO kept.received VALUES ($1, $2, $3)', ['d-old', 'x', ago(45)]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await ids()).toEqual(['b-new', 'd-old']);
  });
});
