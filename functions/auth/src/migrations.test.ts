// Migration 006 on a database that already has staff: the one `staff` role of before could do
// everything, so those accounts become administrators; shoppers and named roles stay as they are.
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, newId } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { describe, expect, it } from 'vitest';

const MIGRATIONS = fileURLToPath(new URL('../migrations/', import.meta.url));

describe('migration 006 (staff roles)', () => {
  it('makes every staff account without a staff role an administrator, and nobody else', async () => {
    const { db, cleanup } = await testDatabase();
    const before = await mkdtemp(join(tmpdir(), 'auth-migrations-'));
    try {
      for (const file of (await readdir(MIGRATIONS)).filter((name) => name < '006')) {
        await copyFile(join(MIGRATIONS, file), join(before, file));
      }
      await migrate(db, { schema: 'auth', dir: before });
      const accounts = {
        staff: ['shopper', 'staff'],
        shopper: ['shopper'],
        named: ['shopper', 'staff', 'marketing'],
      };
      const ids: Record<string, string> = {};
      for (const [name, roles] of Object.entries(accounts)) {
        ids[name] = newId();
        await db.query(
          `INSERT INTO auth.credential (user_id, email, password_hash, roles, created_at, updated_at)
           VALUES ($1, $2, 'x', $3, now(), now())`,
          [ids[name], `${name}.${ids[name]}@example.com`, roles],
        );
      }
      await migrate(db, { schema: 'auth', dir: MIGRATIONS });
      const { rows } = await db.query<{ user_id: string; roles: string[]; staff_version: number }>(
        'SELECT user_id, roles, staff_version FROM auth.credential',
      );
      const rolesOf = (name: string) => rows.find((row) => row.user_id === ids[name])?.roles;
      expect(rolesOf('staff')).toEqual(['shopper', 'staff', 'administrator']);
      expect(rolesOf('shopper')).toEqual(['shopper']);
      expect(rolesOf('named')).toEqual(['shopper', 'staff', 'marketing']);
      expect(rows.every((row) => row.staff_version === 1)).toBe(true);
    } finally {
      await rm(before, { recursive: true, force: true });
      await cleanup();
    }
  });
});
