import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Database, MigrationError, migrate, pendingMigrations } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { offer } from './main.js';

const MIGRATIONS_DIR = offer.migrations.dir;

const ALL = [
  '001_catalog.sql',
  '002_outbox.sql',
  '003_outbox_relay_indexes.sql',
  '004_stock_reservations.sql',
  '005_outbox_parking.sql',
  '006_stock_reservation_hold.sql',
  '007_outbox_request_id.sql',
  '008_stock_adjustments.sql',
  '009_catalog_imports.sql',
];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDatabase(): Promise<Database> {
  const { db, cleanup } = await testDatabase();
  cleanups.push(cleanup);
  return db;
}

/** Applies only the offer migrations named, as an older release would have. */
async function migrateUpTo(db: Database, files: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'offer-migrations-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of files)
    copyFileSync(join(fileURLToPath(MIGRATIONS_DIR), file), join(dir, file));
  await migrate(db, { schema: 'offer', dir });
}

const offerPending = (db: Database) =>
  pendingMigrations(db, { schema: 'offer', dir: MIGRATIONS_DIR });

describe('pendingMigrations', () => {
  it('lists every file on a database the function never ran on, none once migrated', async () => {
    const db = await freshDatabase();
    expect(await offerPending(db)).toEqual(ALL);
    await offer.applyMigrations(db);
    expect(await offerPending(db)).toEqual([]);
  });

  it('lists the files an older release did not apply, and checkOfferSchema names the command', async () => {
    const db = await freshDatabase();
    await migrateUpTo(db, ALL.slice(0, 5));
    expect(await offerPending(db)).toEqual([
      '006_stock_reservation_hold.sql',
      '007_outbox_request_id.sql',
      '008_stock_adjustments.sql',
      '009_catalog_imports.sql',
    ]);
    const check = offer.checkSchema(db);
    await expect(check).rejects.toBeInstanceOf(MigrationError);
    await expect(offer.checkSchema(db)).rejects.toThrow(
      /4 migration\(s\) pending \(006_stock_reservation_hold\.sql, 007_outbox_request_id\.sql, 008_stock_adjustments\.sql, 009_catalog_imports\.sql\).*run `npm run migrate -w @shop\/offer`/,
    );
    await offer.applyMigrations(db);
    await expect(offer.checkSchema(db)).resolves.toBeUndefined();
  });

  it('refuses a schema name that is not an identifier', async () => {
    const db = await freshDatabase();
    await expect(pendingMigrations(db, { schema: 'x; drop', dir: MIGRATIONS_DIR })).rejects.toThrow(
      /invalid schema name/,
    );
  });
});

describe('003_outbox_relay_indexes', () => {
  it('replaces the created_at index with partial id and partition-key indexes of pending rows', async () => {
    const db = await freshDatabase();
    await migrateUpTo(db, ALL.slice(0, 2));
    await offer.applyMigrations(db);
    const { rows } = await db.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'offer' AND tablename = 'outbox' ORDER BY indexname`,
    );
    expect(rows.map((row) => row.indexname)).toEqual([
      'outbox_parked_idx',
      'outbox_pending_idx',
      'outbox_pending_key_idx',
      'outbox_pkey',
    ]);
    const def = (name: string) => rows.find((row) => row.indexname === name)?.indexdef;
    expect(def('outbox_pending_idx')).toMatch(/\(id\) WHERE \(published_at IS NULL\)/);
    expect(def('outbox_pending_key_idx')).toMatch(
      /\(partition_key, id\) WHERE \(published_at IS NULL\)/,
    );
  });
});
