import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnalytics, pageCall, trackCall } from './analytics.js';

/** A stand-in for ingest's batch endpoint on a real socket: what it received, as received. */
async function ingest(status = 200) {
  const received: { authorization: string | undefined; body: { batch: unknown[] } }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      received.push({ authorization: req.headers.authorization, body: JSON.parse(text) });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { url: `http://127.0.0.1:${port}/api/analytics/v1/batch`, received };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

const visitor = {
  anonymousId: 'visitor-1',
  userId: 'user-1',
  clickId: '0b6f2c1e-6d1c-4c1e-9d43-8c1c3c7b9a10',
  locale: 'de-DE',
  userAgent: 'Mozilla/5.0',
};

describe('the storefront analytics sender', () => {
  it('sends page views and cart adds in one batch with the write key as Basic user', async () => {
    const { url, received } = await ingest();
    const analytics = createAnalytics({ batchUrl: url, writeKey: 'wk_site', flushMs: 10_000 });
    const page = new URL('https://shop.example/p/kettle?shop_click=x');
    analytics.record(
      pageCall(visitor, { url: page, title: 'Kettle', referrer: 'https://a.example/' }),
    );
    analytics.record(trackCall(visitor, 'Product Added', { product_id: 'p1', quantity: 2 }));
    await analytics.flush();

    expect(received).toHaveLength(1);
    expect(received[0]?.authorization).toBe(`Basic ${Buffer.from('wk_site:').toString('base64')}`);
    const [view, add] = (received[0]?.body.batch ?? []) as Record<string, unknown>[];
    expect(view).toMatchObject({
      type: 'page',
      anonymousId: 'visitor-1',
      userId: 'user-1',
      properties: { path: '/p/kettle', title: 'Kettle', clickId: visitor.clickId },
      context: { locale: 'de-DE', page: { url: page.href, referrer: 'https://a.example/' } },
    });
    expect(add).toMatchObject({
      type: 'track',
      event: 'Product Added',
      properties: { product_id: 'p1', quantity: 2, clickId: visitor.clickId },
    });
    expect(view?.messageId).not.toBe(add?.messageId);
    expect(analytics.stats()).toEqual({ sent: 2, dropped: 0 });
  });

  it('splits a burst into batches and sends on its own once a batch is full', async () => {
    const { url, received } = await ingest();
    const analytics = createAnalytics({
      batchUrl: url,
      writeKey: 'wk',
      batchSize: 3,
      flushMs: 60_000,
    });
    for (let i = 0; i < 7; i++) analytics.record(trackCall(visitor, 'Product Added', { i }));
    await analytics.flush();
    expect(received.map((r) => r.body.batch.length)).toEqual([3, 3, 1]);
  });

  it('drops and counts what ingest refuses or cannot take, and never throws', async () => {
    const { url } = await ingest(401);
    const refused = createAnalytics({ batchUrl: url, writeKey: 'wk' });
    refused.record(trackCall(visitor, 'Product Added', {}));
    await refused.flush();
    expect(refused.stats()).toEqual({ sent: 0, dropped: 1 });

    const away = createAnalytics({ batchUrl: 'http://127.0.0.1:9/batch', writeKey: 'wk' });
    away.record(trackCall(visitor, 'Product Added', {}));
    await expect(away.flush()).resolves.toBeUndefined();
    expect(away.stats().dropped).toBe(1);

    const full = createAnalytics({
      batchUrl: url,
      writeKey: 'wk',
      maxBuffered: 2,
      flushMs: 60_000,
    });
    for (let i = 0; i < 5; i++) full.record(trackCall(visitor, 'Product Added', { i }));
    expect(full.stats().dropped).toBe(3);
  });

  it('records nothing without a write key', async () => {
    const { url, received } = await ingest();
    const analytics = createAnalytics({ batchUrl: url, writeKey: undefined });
    expect(analytics.enabled).toBe(false);
    analytics.record(trackCall(visitor, 'Product Added', {}));
    await analytics.flush();
    expect(received).toHaveLength(0);
  });
});
