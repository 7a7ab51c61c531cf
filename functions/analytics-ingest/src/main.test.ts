import { ConfigError, silentLogger } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { analyticsIngest } from './main.js';

describe('the analytics-ingest declaration', () => {
  it('needs a write-key secret with a real database, and refuses a demo key there', () => {
    expect(() => analyticsIngest.loadConfig({ DATABASE_URL: 'postgres://db/shop' })).toThrow(
      ConfigError,
    );
    expect(() =>
      analyticsIngest.loadConfig({
        DATABASE_URL: 'postgres://db/shop',
        ANALYTICS_WRITE_KEY_SECRET: 's'.repeat(32),
        ANALYTICS_DEMO_WRITE_KEY: 'wk_demo_demo_demo_demo',
      }),
    ).toThrow(/embedded database only/);
    expect(() => analyticsIngest.loadConfig({ ANALYTICS_CORS_ORIGINS: 'shop.example' })).toThrow(
      /not an origin/,
    );
  });

  it('starts on the embedded database with the demo source answering its write key', async () => {
    const writeKey = `wk_demo_${crypto.randomUUID().replaceAll('-', '')}`;
    const running = await analyticsIngest.start({
      env: { ANALYTICS_DEMO_WRITE_KEY: writeKey, ANALYTICS_TOPIC: `t-${crypto.randomUUID()}` },
      port: 0,
      log: silentLogger(),
      handleSignals: false,
    });
    try {
      const res = await fetch(`${running.url}/api/analytics/v1/track`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        },
        body: JSON.stringify({ event: 'Started', anonymousId: 'a1' }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ success: true, accepted: 1 });
      const doc = (await (await fetch(`${running.url}/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/api/analytics/v1/batch', '/api/admin/analytics/sources']),
      );
    } finally {
      await running.shutdown('test done');
    }
  });
});
