import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { runMigrationJob } from './migration-job.js';

describe('runMigrationJob', () => {
  it('applies pending migrations to the PGlite in PGLITE_DATA_DIR, then nothing on a second run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migration-job-'));
    const dataDir = await mkdtemp(join(tmpdir(), 'migration-job-data-'));
    try {
      await writeFile(join(dir, '001_thing.sql'), 'CREATE TABLE job.thing (id int PRIMARY KEY);');
      const options = { service: 'job', schema: 'job', dir, log: silentLogger() };
      const config = { PGLITE_DATA_DIR: dataDir };
      expect(await runMigrationJob(config, options)).toEqual({
        applied: ['001_thing.sql'],
        alreadyApplied: 0,
      });
      expect(await runMigrationJob(config, options)).toEqual({ applied: [], alreadyApplied: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
