// The first step of ARCHITECTURE's first story, end to end through the gateway: a visitor
// follows /r/summer-sale, gets a 302 to the landing page with a click id, and the click arrives
// on the analytics topic (the in-memory log in npm test, real Kafka through kafkajs in
// test:integration) as the binary CloudEvent attribution will receive through a KafkaSource.
import { gateway as gatewayFunction, type RunningGateway } from '@shop/api-gateway';
import { type RunningRedirect, redirect as redirectFunction } from '@shop/redirect';
import { silentLogger } from '@shop/shared';
import { testDatabase, testKeyValue, usesRealInfrastructure } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startForStory } from './testing/shopper.js';

const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const TOPIC = `shop-analytics-story-${crypto.randomUUID().slice(0, 8)}`;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
let redirect: RunningRedirect;
let gateway: RunningGateway;

beforeAll(async () => {
  const log = silentLogger();
  const db = await testDatabase();
  cleanups.push(db.cleanup);
  const kv = testKeyValue();
  cleanups.push(kv.cleanup);
  redirect = await startForStory(cleanups, redirectFunction, {
    env: {
      SEED_DEMO_DATA: 'true',
      ANALYTICS_TOPIC: TOPIC,
      CLICK_LINGER_MS: '20',
      ...(usesRealInfrastructure() && { KAFKA_BROKERS: process.env.KAFKA_BROKERS }),
    },
    db: db.db,
    kv: kv.kv,
    log,
  });
  gateway = await startForStory(cleanups, gatewayFunction, {
    // Visitors are anonymous: auth is never asked (its URL answers nothing).
    env: { REDIRECT_URL: redirect.url, AUTH_URL: `http://127.0.0.1:${await freePort()}` },
    kv: kv.kv,
    log,
  });
});

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** The clicks on the topic, once `count` are there (a consumer group of its own). */
async function clicksOnTopic(count: number) {
  const group = redirect.kafka.consumerGroup({
    groupId: `story-${crypto.randomUUID()}`,
    topic: TOPIC,
    startAt: 'earliest',
  });
  const seen: { headers: Record<string, string>; data: Record<string, unknown> }[] = [];
  await group.run({
    async onBatch(batch) {
      for (const record of batch.records) {
        seen.push({
          headers: Object.fromEntries(
            Object.entries(record.headers).map(([name, value]) => [name, value.toString('utf8')]),
          ),
          data: JSON.parse(record.value?.toString('utf8') ?? 'null') as Record<string, unknown>,
        });
      }
    },
  });
  const deadline = Date.now() + 20_000;
  while (seen.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // A moment more: a click that should not be there would show now.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await group.stop();
  return seen;
}

describe('the affiliate redirect through the gateway', () => {
  it('sends a visitor of /r/summer-sale to the landing page and records one click', async () => {
    const follow = (cookie?: string) =>
      fetch(`${gateway.url}/r/summer-sale?sub=story`, {
        redirect: 'manual',
        headers: {
          'user-agent': BROWSER,
          referer: 'https://affiliate.example/best-deals?id=1',
          ...(cookie && { cookie }),
        },
      });
    const first = await follow();
    expect(first.status).toBe(302);
    expect(first.headers.get('cache-control')).toBe('private, no-store');
    expect(first.headers.get('x-robots-tag')).toContain('noindex');
    const location = new URL(first.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe('http://localhost:4322/summer-sale');
    expect(location.searchParams.get('sub')).toBe('story');
    expect(location.searchParams.get('utm_source')).toBe('demo-affiliate');
    const clickId = location.searchParams.get('shop_click');
    expect(clickId).toMatch(/^[0-9a-f-]{36}$/);
    // What a browser sends back: the visitor cookie and the signed recent-clicks cookie.
    const cookie = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    expect(cookie).toContain('__Host-shop_rc=');

    // The same visitor again within the hour: the same click id, no second click.
    const again = await follow(cookie);
    expect(new URL(again.headers.get('location') as string).searchParams.get('shop_click')).toBe(
      clickId,
    );
    // A link preview's HEAD answers the same, without a click.
    const head = await fetch(`${gateway.url}/r/summer-sale`, {
      method: 'HEAD',
      redirect: 'manual',
    });
    expect(head.status).toBe(302);

    const clicks = await clicksOnTopic(1);
    expect(clicks).toHaveLength(1);
    expect(clicks[0]?.headers).toMatchObject({
      ce_type: 'shop.link.clicked',
      ce_source: '/shop/redirect',
      ce_specversion: '1.0',
      ce_partitionkey: clickId,
    });
    expect(clicks[0]?.data).toMatchObject({
      clickId,
      code: 'summer-sale',
      affiliateId: 'demo-affiliate',
      campaign: 'summer-sale',
      referrerHost: 'affiliate.example',
      destinationHost: 'localhost',
      device: 'desktop',
      os: 'macos',
      bot: false,
    });
    expect(clicks[0]?.data.visitorHash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers an unknown code with the redirect’s own 404 page, through the gateway', async () => {
    const res = await fetch(`${gateway.url}/r/no-such-link`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
  });
});
