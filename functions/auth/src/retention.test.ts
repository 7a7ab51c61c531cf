import { pruneTable } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { describe, expect, it } from 'vitest';
import { auth } from './main.js';
import { retention } from './retention.js';

describe('auth retention', () => {
  it('forgets sessions 30 days past their expiry, with their refresh tokens, and keeps the others', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      await auth.applyMigrations(db);
      const userId = crypto.randomUUID();
      await db.query(
        `INSERT INTO auth.credential (user_id, email, password_hash, created_at, updated_at)
         VALUES ($1, 'old@example.com', 'x', now(), now())`,
        [userId],
      );
      const sessions = new Map<string, string>();
      for (const [name, expiredDaysAgo] of [
        ['expired-31d', 31],
        ['expired-29d', 29],
        ['live', -10],
      ] as const) {
        const id = crypto.randomUUID();
        sessions.set(name, id);
        await db.query(
          `INSERT INTO auth.session (id, user_id, created_at, expires_at)
           VALUES ($1, $2, now() - interval '90 days', now() - make_interval(days => $3))`,
          [id, userId, expiredDaysAgo],
        );
        await db.query(
          `INSERT INTO auth.refresh_token (token_hash, session_id, created_at, expires_at)
           VALUES ($1, $2, now(), now())`,
          [`hash-${name}`, id],
        );
      }
      for (const rule of retention) await pruneTable(db, rule);
      const left = await db.query<{ id: string }>('SELECT id FROM auth.session');
      expect(left.rows.map((row) => row.id).sort()).toEqual(
        [sessions.get('expired-29d'), sessions.get('live')].sort(),
      );
      const tokens = await db.query<{ token_hash: string }>(
        'SELECT token_hash FROM auth.refresh_token ORDER BY token_hash',
      );
      expect(tokens.rows.map((row) => row.token_hash)).toEqual(['hash-expired-29d', 'hash-live']);
    } finally {
      await cleanup();
    }
  });
});
