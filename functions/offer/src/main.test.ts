import { silentLogger } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { describe, expect, it } from 'vitest';
import { startOffer } from './main.js';

describe('startOffer', () => {
  it('migrates, serves on the given port and shuts down, keeping an injected database open', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      const offer = await startOffer({
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
    const offer = await startOffer({ env: {}, port: 0, log: silentLogger(), handleSignals: false });
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
    await expect(startOffer({ env: { PORT: 'eighty' }, log: silentLogger() })).rejects.toThrow(
      /PORT/,
    );
    await expect(
      startOffer({ env: { DATABASE_URL: 'mysql://x' }, log: silentLogger() }),
    ).rejects.toThrow(/DATABASE_URL/);
  });
});
