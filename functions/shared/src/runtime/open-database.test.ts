import { describe, expect, it } from 'vitest';
import { openDatabase } from './open-database.js';

describe('openDatabase', () => {
  it('opens an in-memory PGlite without DATABASE_URL', async () => {
    const db = await openDatabase({}, { service: 'demo' });
    try {
      expect(db.kind).toBe('pglite');
      await db.ping();
    } finally {
      await db.close();
    }
  });

  it('opens PostgreSQL from DATABASE_URL without connecting yet', async () => {
    const db = await openDatabase(
      { DATABASE_URL: 'postgres://127.0.0.1:1/unused' },
      { service: 'demo' },
    );
    expect(db.kind).toBe('postgres');
    await db.close();
  });
});
