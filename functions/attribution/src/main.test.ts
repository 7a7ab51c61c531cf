import { silentLogger } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { describe, expect, it } from 'vitest';
import { attribution } from './main.js';

describe('attribution.start', () => {
  it('starts on the embedded database and serves its health and OpenAPI document', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      const running = await attribution.start({
        env: {},
        db,
        port: 0,
        log: silentLogger(),
        handleSignals: false,
      });
      try {
        expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
        const doc = (await (await fetch(`${running.url}/openapi.json`)).json()) as {
          paths: Record<string, unknown>;
        };
        expect(Object.keys(doc.paths)).toEqual(
          expect.arrayContaining([
            '/api/admin/attribution/orders/{id}',
            '/api/admin/attribution/rescore',
          ]),
        );
        expect((await fetch(`${running.url}/api/admin/attribution/commission-rates`)).status).toBe(
          401,
        );
      } finally {
        await running.shutdown();
      }
    } finally {
      await cleanup();
    }
  });

  it('validates its settings: the live model, the lookback window', () => {
    expect(attribution.loadConfig({}).settings).toEqual({
      model: 'last_click',
      lookbackDays: 30,
      halfLifeDays: 7,
      maxTouches: 100,
    });
    expect(() => attribution.loadConfig({ ATTRIBUTION_MODEL: 'data_driven' })).toThrow(
      /ATTRIBUTION_MODEL/,
    );
    expect(() => attribution.loadConfig({ ATTRIBUTION_LOOKBACK_DAYS: '0' })).toThrow(
      /ATTRIBUTION_LOOKBACK_DAYS/,
    );
    expect(attribution.loadConfig({ ATTRIBUTION_MODEL: 'time_decay' }).settings.model).toBe(
      'time_decay',
    );
  });
});
