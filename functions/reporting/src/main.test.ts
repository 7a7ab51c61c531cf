import { ConfigError, silentLogger } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { describe, expect, it } from 'vitest';
import { reporting } from './main.js';

describe('the reporting settings', () => {
  it('refuses to start with a zone that is not an IANA name, naming the variable', async () => {
    const error = await reporting
      .start({
        env: { REPORTING_TIME_ZONES: 'UTC,+02:00' },
        port: 0,
        log: silentLogger(),
        handleSignals: false,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/REPORTING_TIME_ZONES: \+02:00 is not an IANA/);
  });

  it('starts, keeps the aggregates of REPORTING_TIME_ZONES and answers ready', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      const running = await reporting.start({
        env: { REPORTING_TIME_ZONES: 'Asia/Kolkata,UTC' },
        db,
        port: 0,
        log: silentLogger(),
        handleSignals: false,
      });
      try {
        const ready = await fetch(`${running.url}/readyz`);
        expect(ready.status).toBe(200);
        const { rows } = await db.query<{ zone: string }>(
          'SELECT zone FROM reporting.aggregate_zones ORDER BY zone',
        );
        expect(rows.map((r) => r.zone)).toEqual(['Asia/Kolkata', 'UTC']);
      } finally {
        await running.shutdown();
      }
    } finally {
      await cleanup();
    }
  });
});
