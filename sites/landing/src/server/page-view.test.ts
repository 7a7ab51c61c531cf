// Page views as analytics-ingest receives them: a listener on a real socket stands in for the
// gateway and records what arrives (analytics-ingest's own tests hold its side of the contract).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@shop/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createPageViewSender, type PageView } from './page-view.js';

interface Received {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A gateway stand-in answering `status` (or never, with `hang`). */
async function gateway(status: number, hang = false) {
  const received: Received[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body: JSON.parse(raw) as Record<string, unknown>,
      });
      if (!hang) res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const CLICK = '0190f3a2-7b1c-7d4e-8f00-123456789abc';
const VIEW: PageView = {
  visitorId: '0190f3a2-7b1c-4d4e-8f00-000000000001',
  url: new URL(`http://localhost:4322/summer-sale?utm_source=demo-affiliate&shop_click=${CLICK}`),
  title: 'Summer sale',
  locale: 'en',
  campaignId: 'summer-sale',
  headlineVariant: 'b',
  referrer: 'https://affiliate.example/',
  userAgent: 'Mozilla/5.0',
};

describe('page views', () => {
  it('are Segment page calls with the write key, the visit URL carrying UTM and click id', async () => {
    const { url, received } = await gateway(200);
    const sender = createPageViewSender({
      gatewayUrl: url,
      writeKey: 'wk_demo',
      timeoutMs: 1000,
      log: silentLogger(),
      clock: () => new Date('2026-07-01T10:00:00Z'),
    });
    await sender.send(VIEW);
    expect(received).toHaveLength(1);
    const [call] = received;
    expect(call?.path).toBe('/api/analytics/v1/page');
    expect(call?.authorization).toBe(`Basic ${Buffer.from('wk_demo:').toString('base64')}`);
    expect(call?.body).toMatchObject({
      type: 'page',
      anonymousId: VIEW.visitorId,
      name: 'Summer sale',
      timestamp: '2026-07-01T10:00:00.000Z',
      properties: { campaign_id: 'summer-sale', headline_variant: 'b', path: '/summer-sale' },
      context: {
        page: { url: VIEW.url.href, path: '/summer-sale', referrer: 'https://affiliate.example/' },
        locale: 'en',
        userAgent: 'Mozilla/5.0',
      },
    });
    expect(call?.body.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never fail the page: a refusal, a hang and an unreachable gateway all resolve', async () => {
    const refusing = await gateway(401);
    const log = silentLogger();
    const send = (gatewayUrl: string) =>
      createPageViewSender({ gatewayUrl, writeKey: 'wk', timeoutMs: 200, log }).send(VIEW);
    await expect(send(refusing.url)).resolves.toBeUndefined();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    const hanging = await gateway(200, true);
    const started = Date.now();
    await expect(send(hanging.url)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(send('http://127.0.0.1:9')).resolves.toBeUndefined();
  });

  it('are not sent without a write key', async () => {
    const { url, received } = await gateway(200);
    await createPageViewSender({
      gatewayUrl: url,
      writeKey: undefined,
      timeoutMs: 1000,
      log: silentLogger(),
    }).send(VIEW);
    expect(received).toEqual([]);
  });
});
