import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase } from './pglite.js';

describe('createPgliteDatabase', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pglite-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts in-memory databases empty and apart, however many a process opens', async () => {
    const [a, b] = [await createPgliteDatabase(), await createPgliteDatabase()];
    await a.exec('CREATE TABLE note (body text)');
    const { rows } = await b.query(`SELECT 1 FROM pg_class WHERE relname = 'note'`);
    expect(rows).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps what a new data directory was given across a reopen', async () => {
    const first = await createPgliteDatabase(join(dir, 'data'));
    await first.exec(`CREATE TABLE note (body text); INSERT INTO note VALUES ('kept')`);
    await first.close();
    const again = await createPgliteDatabase(join(dir, 'data'));
    expect((await again.query('SELECT body FROM note')).rows).toEqual([{ body: 'kept' }]);
    await again.close();
  });
});
