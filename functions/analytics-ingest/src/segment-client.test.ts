// The stock @segment/analytics-node client, its host pointed at the ingest (through the public
// path the gateway forwards), delivers track, page and identify calls that are on the topic
// exactly once each (counted by messageId): in npm test on the memory log, and on real Kafka
// in test:integration.
import { Analytics } from '@segment/analytics-node';
import { Lifecycle, serve, silentLogger } from '@shop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, type Testbed } from './testing/testbed.js';

let bed: Testbed;
let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  bed = await createTestbed();
  const lifecycle = new Lifecycle();
  lifecycle.markReady();
  server = await serve(bed.app, {
    port: 0,
    hostname: '127.0.0.1',
    log: silentLogger(),
    lifecycle,
    handleSignals: false,
  });
});
afterAll(async () => {
  await server.shutdown('test done');
  await bed.cleanup();
});

describe('@segment/analytics-node', () => {
  it('delivers track, page and identify calls exactly once each', async () => {
    const analytics = new Analytics({
      writeKey: bed.writeKey,
      host: `http://127.0.0.1:${server.port}`,
      path: '/api/analytics/v1/batch',
      flushAt: 7,
      flushInterval: 50,
    });
    const failures: unknown[] = [];
    analytics.on('error', (error) => failures.push(error));
    const calls = 30;
    for (let i = 0; i < calls; i++) {
      analytics.track({
        anonymousId: `visitor-${i % 4}`,
        event: 'Product Viewed',
        properties: { i },
      });
      analytics.page({
        anonymousId: `visitor-${i % 4}`,
        name: 'Home',
        properties: { url: 'https://shop.example/' },
      });
      analytics.identify({
        anonymousId: `visitor-${i % 4}`,
        userId: `user-${i % 4}`,
        traits: { i },
      });
    }
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(failures).toEqual([]);
    const records = await bed.read(bed.topics.main, calls * 3);
    const byMessage = new Map<string, number>();
    for (const record of records) {
      const id = String(record.data.messageId);
      byMessage.set(id, (byMessage.get(id) ?? 0) + 1);
    }
    expect(records).toHaveLength(calls * 3);
    expect(byMessage.size).toBe(calls * 3);
    expect([...byMessage.values()].every((n) => n === 1)).toBe(true);
    const types = records.map((r) => r.headers.ce_type);
    for (const type of ['shop.analytics.track', 'shop.analytics.page', 'shop.analytics.identify']) {
      expect(types.filter((t) => t === type)).toHaveLength(calls);
    }
    expect(records[0]?.data.context).toMatchObject({
      library: { name: '@segment/analytics-node' },
    });
  });
});
