import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@shop/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { offer as offerFunction } from './main.js';

const dataDir = mkdtempSync(join(tmpdir(), 'offer-pglite-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('runOfferMigrations (npm run migrate)', () => {
  it('migrates the database the environment names, so a start without migrations accepts it', async () => {
    const env = { PGLITE_DATA_DIR: dataDir, RUN_MIGRATIONS: 'false', SEED_DEMO_DATA: 'false' };
    const start = () =>
      offerFunction.start({ env, port: 0, log: silentLogger(), handleSignals: false });
    await expect(start()).rejects.toThrow(/npm run migrate -w @shop\/offer/);

    const first = await offerFunction.migrate({ env, log: silentLogger() });
    expect(first.applied).toEqual([
      '001_catalog.sql',
      '002_outbox.sql',
      '003_outbox_relay_indexes.sql',
      '004_stock_reservations.sql',
      '005_outbox_parking.sql',
      '006_stock_reservation_hold.sql',
      '007_outbox_request_id.sql',
      '008_stock_adjustments.sql',
      '009_catalog_imports.sql',
    ]);
    expect(await offerFunction.migrate({ env, log: silentLogger() })).toEqual({
      applied: [],
      alreadyApplied: 9,
    });

    const offer = await start();
    try {
      expect((await fetch(`http://127.0.0.1:${offer.port}/readyz`)).status).toBe(200);
    } finally {
      await offer.shutdown();
    }
  });
});
