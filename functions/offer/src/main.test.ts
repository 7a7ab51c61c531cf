import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, silentLogger } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { describe, expect, it } from 'vitest';
import { offer as offerFunction } from './main.js';
import { captureLogger } from './testing/fixtures.js';

describe('startOffer', () => {
  it('migrates, serves on the given port and shuts down, keeping an injected database open', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      const offer = await offerFunction.start({
        env: { SEED_DEMO_DATA: 'true' },
        db,
        port: 0,
        log: silentLogger(),
        handleSignals: false,
      });
      expect(offer.port).toBeGreaterThan(0);
      const base = `http://127.0.0.1:${offer.port}`;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const page = (await (await fetch(`${base}/api/offers?limit=5`)).json()) as {
        items: unknown[];
      };
      expect(page.items).toHaveLength(5);
      await offer.shutdown();
      // The caller's database stays usable.
      await db.ping();
    } finally {
      await cleanup();
    }
  });

  it('defaults to an embedded PGlite with the demo catalog when DATABASE_URL is unset', async () => {
    const offer = await offerFunction.start({
      env: {},
      port: 0,
      log: silentLogger(),
      handleSignals: false,
    });
    try {
      expect(offer.db.kind).toBe('pglite');
      expect(offer.config.PORT).toBe(8083);
      const res = await fetch(`http://127.0.0.1:${offer.port}/api/categories`);
      const { items } = (await res.json()) as { items: unknown[] };
      expect(items.length).toBeGreaterThanOrEqual(6);
    } finally {
      await offer.shutdown();
    }
  });

  it('refuses an invalid environment naming the variable', async () => {
    await expect(
      offerFunction.start({ env: { PORT: 'eighty' }, log: silentLogger() }),
    ).rejects.toThrow(/PORT/);
    await expect(
      offerFunction.start({ env: { DATABASE_URL: 'mysql://x' }, log: silentLogger() }),
    ).rejects.toThrow(/DATABASE_URL/);
  });

  it('with RUN_MIGRATIONS=false refuses a database with pending migrations, naming the command', async () => {
    const { db, cleanup } = await testDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'offer-old-release-'));
    try {
      // The database as the previous release left it: migrations 001 and 002 only.
      for (const file of ['001_catalog.sql', '002_outbox.sql']) {
        copyFileSync(join(fileURLToPath(offerFunction.migrations.dir), file), join(dir, file));
      }
      await migrate(db, { schema: 'offer', dir });
      const start = () =>
        offerFunction.start({
          env: { RUN_MIGRATIONS: 'false' },
          db,
          port: 0,
          log: silentLogger(),
          handleSignals: false,
        });
      await expect(start()).rejects.toThrow(
        /not current: 7 migration\(s\) pending \(003_outbox_relay_indexes\.sql, 004_stock_reservations\.sql, 005_outbox_parking\.sql, 006_stock_reservation_hold\.sql, 007_outbox_request_id\.sql, 008_stock_adjustments\.sql, 009_catalog_imports\.sql\).*run `npm run migrate -w @shop\/offer`/,
      );
      // Nothing was applied by the refused start.
      const { rows } = await db.query('SELECT version FROM offer.schema_migrations');
      expect(rows).toHaveLength(2);

      await offerFunction.applyMigrations(db);
      const offer = await start();
      expect((await fetch(`http://127.0.0.1:${offer.port}/readyz`)).status).toBe(200);
      await offer.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await cleanup();
    }
  });

  it('without K_SINK says once that events stay in the outbox: info on PGlite, warn in production', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      await offerFunction.applyMigrations(db);
      for (const [env, level] of [
        [{}, 'info'],
        [{ DATABASE_URL: 'postgres://127.0.0.1:1/unused' }, 'warn'],
      ] as const) {
        const { log, lines } = captureLogger();
        const offer = await offerFunction.start({ env, db, port: 0, log, handleSignals: false });
        expect(offer.relay).toBeUndefined();
        await offer.shutdown();
        const said = lines.filter((line) => line.msg?.includes('K_SINK is not set'));
        expect(said).toEqual([
          expect.objectContaining({
            level,
            msg: 'K_SINK is not set: events stay in offer.outbox until a sink is configured',
          }),
        ]);
      }
    } finally {
      await cleanup();
    }
  });
});
