import { silentLogger } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { describe, expect, it } from 'vitest';
import { redirect } from './main.js';

async function topicRecords(running: Awaited<ReturnType<typeof redirect.start>>, topic: string) {
  const group = running.kafka.consumerGroup({
    groupId: `read-${crypto.randomUUID()}`,
    topic,
    startAt: 'earliest',
  });
  const values: Record<string, unknown>[] = [];
  await group.run({
    async onBatch(batch) {
      for (const record of batch.records) {
        values.push(
          JSON.parse(record.value?.toString('utf8') ?? 'null') as Record<string, unknown>,
        );
      }
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await group.stop();
  return values;
}

describe('redirect.start', () => {
  it('seeds the demo links on the embedded database and sends pending clicks on shutdown', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      // A topic of its own: the embedded Kafka is the process's one log, which other suites in
      // this worker write analytics to as well.
      const topic = `shop-analytics-${crypto.randomUUID().slice(0, 8)}`;
      const running = await redirect.start({
        // A long linger: the click is still pending when the shutdown starts.
        env: { SEED_DEMO_DATA: 'true', CLICK_LINGER_MS: '10000', ANALYTICS_TOPIC: topic },
        db,
        port: 0,
        log: silentLogger(),
        handleSignals: false,
      });
      const res = await fetch(`${running.url}/r/summer-sale?sub=1`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') as string);
      expect(`${location.origin}${location.pathname}`).toBe('http://localhost:4322/summer-sale');
      expect(location.searchParams.get('utm_source')).toBe('demo-affiliate');
      const clickId = location.searchParams.get('shop_click');
      expect((await fetch(`${running.url}/r/spring-2020`)).status).toBe(410);
      expect((await fetch(`${running.url}/r/retired`)).status).toBe(410);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(running.clicks.pending).toBe(1);
      await running.shutdown();
      const clicks = await topicRecords(running, topic);
      expect(clicks.map((click) => click.clickId)).toEqual([clickId]);
      // The daily count went to the (still open) database before it closed (Node's fetch is
      // no browser: a bot click).
      const { rows } = await db.query<{ clicks: string }>(
        'SELECT clicks + bot_clicks AS clicks FROM redirect.link_daily_clicks',
      );
      expect(rows.map((row) => Number(row.clicks))).toEqual([1]);
    } finally {
      await cleanup();
    }
  });

  it('refuses a production config without a secret, with dev http origins or a bad allowlist', () => {
    const production = { DATABASE_URL: 'postgres://127.0.0.1:5432/x' };
    expect(() => redirect.loadConfig(production)).toThrow(/REDIRECT_SECRET/);
    expect(() =>
      redirect.loadConfig({
        ...production,
        REDIRECT_SECRET: 'x'.repeat(32),
        REDIRECT_DEV_HTTP_ORIGINS: 'http://localhost:4322',
      }),
    ).toThrow(/REDIRECT_DEV_HTTP_ORIGINS/);
    expect(() => redirect.loadConfig({ REDIRECT_ALLOWED_HOSTS: '127.0.0.1' })).toThrow(
      /REDIRECT_ALLOWED_HOSTS/,
    );
    expect(() => redirect.loadConfig({ REDIRECT_DEV_HTTP_ORIGINS: 'http://evil.example' })).toThrow(
      /REDIRECT_DEV_HTTP_ORIGINS/,
    );
    const config = redirect.loadConfig({ ...production, REDIRECT_SECRET: 'x'.repeat(32) });
    expect(config.settings.destinationPolicy.devHttpOrigins).toEqual([]);
    expect(config.LINK_CACHE_TTL_MS).toBe(1_000);
  });
});
