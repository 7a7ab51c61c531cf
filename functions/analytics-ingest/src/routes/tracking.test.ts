import { eventCatalog } from '@shop/eventing';
import type { KafkaProducer } from '@shop/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { basic, createTestbed, post, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeEach(async () => {
  bed = await createTestbed();
});
afterEach(async () => {
  await bed.cleanup();
});

const uuid = () => crypto.randomUUID();
const track = (fields: Record<string, unknown> = {}) => ({
  event: 'Product Viewed',
  anonymousId: 'anon-1',
  messageId: uuid(),
  properties: { sku: 'A-1' },
  ...fields,
});

describe('the Segment calls', () => {
  it('writes a track call to the topic as a binary CloudEvent keyed by the visitor', async () => {
    const messageId = uuid();
    const res = await post(bed.app, '/v1/track', track({ messageId }), basic(bed.writeKey));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, accepted: 1, deduped: 0, rejected: [] });
    const [record, ...rest] = await bed.read(bed.topics.main, 1);
    expect(rest).toEqual([]);
    expect(record?.key).toBe(`${bed.sourceId}:anon-1`);
    expect(record?.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'shop.analytics.track',
      ce_source: '/shop/analytics-ingest',
      ce_partitionkey: `${bed.sourceId}:anon-1`,
      ce_dataschema: eventCatalog['shop.analytics.track'].dataschema,
      'content-type': 'application/json',
    });
    expect(eventCatalog['shop.analytics.track'].schema.parse(record?.data)).toMatchObject({
      messageId,
      sourceId: bed.sourceId,
      visitorKey: `${bed.sourceId}:anon-1`,
      event: 'Product Viewed',
      properties: { sku: 'A-1' },
    });
  });

  it.each([
    ['page', { name: 'Home', properties: { url: 'https://shop.example/' } }],
    ['screen', { name: 'Cart' }],
    ['identify', { userId: 'user-7', traits: { plan: 'gold' } }],
    ['group', { groupId: 'team-1', traits: {} }],
    ['alias', { userId: 'user-7', previousId: 'anon-1' }],
  ])('accepts a %s call on the public path as the gateway forwards it', async (type, fields) => {
    const res = await post(
      bed.app,
      `/api/analytics/v1/${type}`,
      { anonymousId: 'anon-1', messageId: uuid(), ...fields },
      basic(bed.writeKey),
    );
    expect(res.status).toBe(200);
    const [record] = await bed.read(bed.topics.main, 1);
    const definition = eventCatalog[`shop.analytics.${type}` as 'shop.analytics.page'];
    expect(record?.headers.ce_type).toBe(`shop.analytics.${type}`);
    expect(definition.schema.safeParse(record?.data).success).toBe(true);
  });

  it('takes the write key from the body when there is no Basic header', async () => {
    const res = await post(bed.app, '/v1/track', { ...track(), writeKey: bed.writeKey });
    expect(res.status).toBe(200);
    expect(await bed.read(bed.topics.main, 1)).toHaveLength(1);
  });

  it('accepts navigator.sendBeacon posts (text/plain bodies holding JSON)', async () => {
    const res = await post(
      bed.app,
      '/v1/page',
      JSON.stringify({ ...track(), writeKey: bed.writeKey }),
      {
        'content-type': 'text/plain;charset=UTF-8',
      },
    );
    expect(res.status).toBe(200);
    expect(await bed.read(bed.topics.main, 1)).toHaveLength(1);
  });

  it('merges the batch context into each call, the call winning, and drops context.ip', async () => {
    const res = await post(
      bed.app,
      '/v1/batch',
      {
        context: { library: { name: 'analytics-node' }, ip: '203.0.113.9', locale: 'de-DE' },
        batch: [{ type: 'track', ...track({ context: { locale: 'fr-FR', ip: '198.51.100.1' } }) }],
      },
      basic(bed.writeKey),
    );
    expect(res.status).toBe(200);
    const [record] = await bed.read(bed.topics.main, 1);
    expect(record?.data.context).toEqual({ library: { name: 'analytics-node' }, locale: 'fr-FR' });
  });

  it('stamps receivedAt and corrects timestamp for the client clock skew', async () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    await bed.cleanup();
    bed = await createTestbed({ clock: () => now });
    // The device clock is an hour fast: the call was made 5 s before it was sent.
    const res = await post(
      bed.app,
      '/v1/batch',
      {
        sentAt: '2026-03-01T13:00:05.000Z',
        batch: [{ type: 'track', ...track({ timestamp: '2026-03-01T13:00:00.000Z' }) }],
      },
      basic(bed.writeKey),
    );
    expect(res.status).toBe(200);
    const [record] = await bed.read(bed.topics.main, 1);
    expect(record?.data).toMatchObject({
      receivedAt: '2026-03-01T12:00:00.000Z',
      timestamp: '2026-03-01T11:59:55.000Z',
      originalTimestamp: '2026-03-01T13:00:00.000Z',
      sentAt: '2026-03-01T13:00:05.000Z',
    });
  });

  it('extracts the click id and the UTM parameters from the page URL', async () => {
    const clickId = uuid();
    await post(
      bed.app,
      '/v1/page',
      {
        anonymousId: 'anon-1',
        context: {
          page: {
            url: `https://shop.example/summer?shop_click=${clickId}&utm_source=partner&utm_campaign=summer`,
          },
        },
      },
      basic(bed.writeKey),
    );
    const [record] = await bed.read(bed.topics.main, 1);
    expect(record?.data.clickId).toBe(clickId);
    expect(record?.data.campaign).toEqual({
      source: 'partner',
      medium: null,
      name: 'summer',
      term: null,
      content: null,
    });
  });

  it('answers CORS preflights for the shop sites only', async () => {
    const ask = (origin: string) =>
      bed.app.request('/api/analytics/v1/track', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    expect((await ask('https://shop.example')).headers.get('access-control-allow-origin')).toBe(
      'https://shop.example',
    );
    expect(
      (await ask('https://evil.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
  });
});

describe('dedupe, counting and routing', () => {
  it('keeps a messageId once per source within the day, also within one batch', async () => {
    const call = { type: 'track', ...track() };
    const first = await post(bed.app, '/v1/batch', { batch: [call, call] }, basic(bed.writeKey));
    expect(await first.json()).toMatchObject({ accepted: 1, deduped: 1 });
    const retry = await post(bed.app, '/v1/batch', { batch: [call] }, basic(bed.writeKey));
    expect(await retry.json()).toMatchObject({ accepted: 0, deduped: 1 });
    expect(await bed.read(bed.topics.main, 1)).toHaveLength(1);
    expect(await bed.metric('track', 'deduped')).toBe(2);
  });

  it('answers 200 for a batch mixing good and bad calls, and counts each rejection by reason', async () => {
    const res = await post(
      bed.app,
      '/v1/batch',
      {
        batch: [
          { type: 'track', ...track() },
          { type: 'track', ...track({ anonymousId: undefined }) },
          { type: 'track', ...track({ event: '' }) },
          { type: 'launch', ...track() },
          'not an object',
          { type: 'page', ...track({ properties: { big: 'x'.repeat(33 * 1024) } }) },
          { type: 'identify', ...track({ timestamp: 'yesterday' }) },
          { type: 'page', ...track({ userId: 'u\u0000' }) },
          { type: 'identify', ...track({ userId: 'user-1' }) },
        ],
      },
      basic(bed.writeKey),
    );
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { accepted: number; rejected: { reason: string }[] };
    expect(answer.accepted).toBe(2);
    expect(answer.rejected.map((r) => r.reason)).toEqual([
      'no_user_anon_id',
      'missing_field',
      'invalid_type',
      'invalid_type',
      'too_large',
      'invalid_timestamp',
      'invalid',
    ]);
    expect(await bed.read(bed.topics.main, 2)).toHaveLength(2);
    expect(await bed.metric('track', 'rejected')).toBe(2);
    expect(await bed.metric('track', 'accepted')).toBe(1);
  });

  it('sends calls over a day old to the historical topic', async () => {
    const old = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await post(bed.app, '/v1/track', track({ timestamp: old }), basic(bed.writeKey));
    expect(await bed.read(bed.topics.historical, 1)).toHaveLength(1);
    expect(await bed.read(bed.topics.main, 0)).toHaveLength(0);
    expect(await bed.metric('track', 'historical')).toBe(1);
  });

  it('moves a visitor over its rate to the overflow topic, others stay on the main topic', async () => {
    await bed.cleanup();
    bed = await createTestbed({ ingest: { visitorRatePerSecond: 1, visitorBurst: 3 } });
    const batch = Array.from({ length: 5 }, () => ({ type: 'track', ...track() }));
    batch.push({ type: 'track', ...track({ anonymousId: 'calm-visitor' }) });
    const res = await post(bed.app, '/v1/batch', { batch }, basic(bed.writeKey));
    expect(res.status).toBe(200);
    expect(await bed.read(bed.topics.overflow, 2)).toHaveLength(2);
    const main = await bed.read(bed.topics.main, 4);
    expect(main).toHaveLength(4);
    expect(main.map((r) => r.key)).toContain(`${bed.sourceId}:calm-visitor`);
  });
});

describe('when Kafka does not acknowledge', () => {
  it('answers 503 with Retry-After, keeps nothing, and takes the retry once Kafka is back', async () => {
    let failing = true;
    await bed.cleanup();
    bed = await createTestbed({
      ingest: { retryAfterSeconds: 1 },
      producer: (inner): KafkaProducer => ({
        send: (topic, records, options) =>
          failing ? Promise.reject(new Error('broker down')) : inner.send(topic, records, options),
        close: () => inner.close(),
      }),
    });
    const call = track();
    const refused = await post(bed.app, '/v1/track', call, basic(bed.writeKey));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    // Shut for the Retry-After: refused at once, without trying.
    expect((await post(bed.app, '/v1/track', call, basic(bed.writeKey))).status).toBe(503);
    expect(await bed.metric('track', 'unavailable')).toBe(2);
    failing = false;
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const kept = await post(bed.app, '/v1/track', call, basic(bed.writeKey));
    expect(kept.status).toBe(200);
    expect(await kept.json()).toMatchObject({ accepted: 1, deduped: 0 });
    expect(await bed.read(bed.topics.main, 1)).toHaveLength(1);
    // A retry of what is kept is answered without Kafka, even when it is away again.
    failing = true;
    const again = await post(bed.app, '/v1/track', call, basic(bed.writeKey));
    expect(await again.json()).toMatchObject({ accepted: 0, deduped: 1 });
  });

  it('answers 503 when Kafka acknowledges late, keeps the send going, and writes the call once', async () => {
    // A broker restart: the batch reached Kafka but its acknowledgement comes after the request
    // stopped waiting. The client retries; the retry must neither be written again nor lost.
    await bed.cleanup();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    bed = await createTestbed({
      ingest: { sendTimeoutMs: 50, retryAfterSeconds: 1 },
      producer: (inner): KafkaProducer => ({
        send: async (topic, records, options) => {
          const sent = await inner.send(topic, records, options);
          await held;
          return sent;
        },
        close: () => inner.close(),
      }),
    });
    const call = track();
    const late = await post(bed.app, '/v1/track', call, basic(bed.writeKey));
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    // Still in flight: the retry is told to come back, not written beside it.
    const busy = await post(bed.app, '/v1/track', call, basic(bed.writeKey));
    expect(busy.status).toBe(503);
    release();
    await vi.waitFor(() => expect(bed.ingest.writer.pendingBytes).toBe(0));
    const retried = await post(bed.app, '/v1/track', call, basic(bed.writeKey));
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ accepted: 0, deduped: 1 });
    expect(await bed.read(bed.topics.main, 2)).toHaveLength(1);
  });

  it('bounds the bytes waiting for Kafka: more is refused with 503', async () => {
    await bed.cleanup();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    bed = await createTestbed({
      ingest: { maxPendingBytes: 150 },
      producer: (inner): KafkaProducer => ({
        send: async (topic, records, options) => {
          await held;
          return inner.send(topic, records, options);
        },
        close: () => inner.close(),
      }),
    });
    const waiting = post(bed.app, '/v1/track', track(), basic(bed.writeKey));
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(bed.ingest.writer.pendingBytes).toBeGreaterThan(75);
      const over = await post(bed.app, '/v1/track', track(), basic(bed.writeKey));
      expect(over.status).toBe(503);
      expect(over.headers.get('retry-after')).not.toBeNull();
    } finally {
      release();
    }
    expect((await waiting).status).toBe(200);
    expect(await bed.read(bed.topics.main, 1)).toHaveLength(1);
  });
});
