import { HTTP } from 'cloudevents';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Lifecycle } from '../lifecycle.js';
import { silentLogger } from '../logger.js';
import { type RunningServer, serve } from '../serve.js';
import {
  defineCatalog,
  defineEvent,
  InvalidEventError,
  moneySchema,
  timestampSchema,
} from './catalog.js';
import { createPublisher, PublishError } from './publish.js';

const catalog = defineCatalog(
  defineEvent({
    type: 'shop.thing.priced',
    description: 'A thing got a price.',
    producer: 'thing',
    consumers: ['audit'],
    partitionKey: 'thingId',
    schema: z.object({ thingId: z.uuid(), price: moneySchema, pricedAt: timestampSchema }).strict(),
  }),
);
const data = {
  thingId: '0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b',
  price: { amount: 499, currency: 'EUR' },
  pricedAt: '2025-11-25T09:00:00.000Z',
};
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

// A broker ingress stand-in on a real port: records each request, answers `status`.
let received: { headers: Record<string, string>; body: string }[] = [];
let status = 202;
let delayMs = 0;
let server: RunningServer;
let sink: string;

beforeAll(async () => {
  const app = new Hono().post('/', async (c) => {
    received.push({ headers: Object.fromEntries(c.req.raw.headers), body: await c.req.text() });
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (status === 202) return c.body(null, 202);
    return c.text('broker says no', status as 503);
  });
  server = await serve(app, {
    port: 0,
    hostname: '127.0.0.1',
    log: silentLogger(),
    lifecycle: new Lifecycle(),
    handleSignals: false,
  });
  sink = `http://127.0.0.1:${server.port}/`;
});
afterAll(() => server.shutdown());
beforeEach(() => {
  received = [];
  status = 202;
  delayMs = 0;
});

const publisher = (timeoutMs?: number) =>
  createPublisher({ sink, source: '/shop/thing', catalog, log: silentLogger(), timeoutMs });

describe('createPublisher', () => {
  it('POSTs a binary-mode CloudEvent with a UUIDv7 id, dataschema and the partition key from the catalog', async () => {
    const event = await publisher().publish('shop.thing.priced', data, { subject: data.thingId });
    expect(received).toHaveLength(1);
    const { headers, body } = received[0]!;
    expect(headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-type': 'shop.thing.priced',
      'ce-source': '/shop/thing',
      'ce-id': event.id,
      'ce-subject': data.thingId,
      'ce-dataschema': 'https://schemas.shop.example/events/shop.thing.priced/v1.json',
      'ce-partitionkey': data.thingId,
      'content-type': 'application/json',
    });
    expect(event.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(JSON.parse(body)).toEqual(data);
    const parsed = HTTP.toEvent({ headers, body });
    expect(parsed).toMatchObject({ id: event.id, type: 'shop.thing.priced', data });
  });

  it('uses the id, time and partition key it is given and sends the trace context both ways', async () => {
    await publisher().publish('shop.thing.priced', data, {
      id: 'outbox-row-1',
      time: new Date('2025-01-02T03:04:05.000Z'),
      partitionKey: 'custom-key',
      traceparent: TRACEPARENT,
      tracestate: 'shop=1',
    });
    expect(received[0]?.headers).toMatchObject({
      'ce-id': 'outbox-row-1',
      'ce-time': '2025-01-02T03:04:05.000Z',
      'ce-partitionkey': 'custom-key',
      'ce-traceparent': TRACEPARENT,
      'ce-tracestate': 'shop=1',
      traceparent: TRACEPARENT,
    });
  });

  it('drops a malformed traceparent instead of failing', async () => {
    await publisher().publish('shop.thing.priced', data, { traceparent: 'garbage' });
    expect(received[0]?.headers).not.toHaveProperty('ce-traceparent');
    expect(received[0]?.headers).not.toHaveProperty('traceparent');
  });

  it('refuses invalid data and unknown types before any network call', async () => {
    await expect(
      publisher().publish('shop.thing.priced', {
        ...data,
        price: { amount: 1.5, currency: 'EUR' },
      }),
    ).rejects.toThrow(/data\.price\.amount/);
    await expect(
      publisher().publish('shop.thing.vanished' as never, data as never),
    ).rejects.toThrow(InvalidEventError);
    expect(received).toHaveLength(0);
  });

  it('throws a PublishError with the status when the sink answers non-2xx', async () => {
    status = 503;
    const failure = publisher().publish('shop.thing.priced', data);
    await expect(failure).rejects.toBeInstanceOf(PublishError);
    await expect(failure).rejects.toMatchObject({ status: 503, eventType: 'shop.thing.priced' });
    await expect(failure).rejects.toThrow(/503.*broker says no/);
  });

  it('gives up after its timeout', async () => {
    delayMs = 500;
    await expect(publisher(50).publish('shop.thing.priced', data)).rejects.toThrow(
      /no answer within 50 ms/,
    );
  });

  it('reports an unreachable sink as a PublishError without status', async () => {
    const closed = createPublisher({
      sink: 'http://127.0.0.1:1/',
      source: '/shop/thing',
      catalog,
      log: silentLogger(),
    });
    await expect(closed.publish('shop.thing.priced', data)).rejects.toMatchObject({
      name: 'PublishError',
      status: undefined,
    });
  });
});
