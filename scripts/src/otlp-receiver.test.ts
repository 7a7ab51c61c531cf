import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatTrace,
  type OtlpReceiver,
  receivedSpanOf,
  startOtlpReceiver,
} from './otlp-receiver.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** An export as the SDK's OTLP/HTTP JSON exporter sends it: a server span and its child. */
const exported = {
  resourceSpans: [
    {
      resource: { attributes: [attr('service.name', 'cart'), attr('faas.name', 'cart')] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: TRACE,
              spanId: 'eee19b7ec3c1b174',
              name: 'POST /api/cart/checkout',
              kind: 2,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000000250000000',
              attributes: [
                attr('shop.request_id', 'req-1'),
                { key: 'n', value: { intValue: '3' } },
              ],
              status: {},
            },
            {
              traceId: TRACE,
              spanId: 'eee19b7ec3c1b175',
              parentSpanId: 'eee19b7ec3c1b174',
              name: 'publish shop.order.created',
              kind: 4,
              startTimeUnixNano: '1700000000100000000',
              endTimeUnixNano: '1700000000110000000',
              links: [{ traceId: TRACE, spanId: 'aaaaaaaaaaaaaaaa' }],
              status: { code: 2 },
            },
          ],
        },
      ],
    },
  ],
};

let otlp: OtlpReceiver;
beforeAll(async () => {
  otlp = await startOtlpReceiver({ pages: true });
});
afterAll(() => otlp.close());

const post = (body: string, type = 'application/json') =>
  fetch(`${otlp.url}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body });

describe('the OTLP receiver', () => {
  it('keeps the spans of an OTLP JSON export, flattened, and finds a trace by request id', async () => {
    expect((await post(JSON.stringify(exported))).status).toBe(200);
    const [server, producer] = otlp.trace(TRACE);
    expect(server).toMatchObject({
      service: 'cart',
      kind: 'server',
      name: 'POST /api/cart/checkout',
      durationMs: 250,
      attributes: { 'shop.request_id': 'req-1', n: 3 },
      resource: { 'faas.name': 'cart' },
    });
    expect(producer).toMatchObject({
      kind: 'producer',
      parentSpanId: server?.spanId,
      status: 'error',
      links: [{ traceId: TRACE, spanId: 'aaaaaaaaaaaaaaaa' }],
    });
    expect(otlp.tracesOfRequest('req-1')).toEqual([TRACE]);
    expect(formatTrace(otlp.trace(TRACE))).toBe(
      [
        'cart  server  POST /api/cart/checkout  250.0 ms',
        '  cart  producer  publish shop.order.created  10.0 ms  ERROR  (links 1)',
      ].join('\n'),
    );
  });

  it('shows a trace by request id on its dev page, and says when there is none', async () => {
    const page = await (await fetch(`${otlp.url}/traces?request_id=req-1`)).text();
    expect(page).toContain(`trace ${TRACE}`);
    expect(page).toContain('  cart  producer  publish shop.order.created');
    const none = await (await fetch(`${otlp.url}/traces?request_id=nope`)).text();
    expect(none).toBe('No trace of request nope yet.\n');
    const list = await (await fetch(`${otlp.url}/traces`)).text();
    expect(list).toContain(`${TRACE}  cart  POST /api/cart/checkout  250.0 ms  request req-1`);
  });

  it('refuses protobuf, other paths and malformed JSON with a reason', async () => {
    const protobuf = await post('\u0000', 'application/x-protobuf');
    expect(protobuf.status).toBe(415);
    expect(await protobuf.text()).toContain('OTEL_EXPORTER_OTLP_PROTOCOL=http/json');
    expect((await fetch(`${otlp.url}/v1/metrics`, { method: 'POST' })).status).toBe(404);
    expect((await post('{not json')).status).toBe(400);
  });

  it('reads the SDK’s own spans in the same shape', () => {
    const span = receivedSpanOf({
      name: 'GET /api/offers',
      kind: 1, // SpanKind.SERVER
      spanContext: () => ({ traceId: TRACE, spanId: '1111111111111111' }),
      parentSpanContext: undefined,
      attributes: { 'http.route': '/api/offers' },
      links: [],
      startTime: [1_700_000_000, 5_000_000],
      duration: [0, 2_500_000],
      status: { code: 0 },
      resource: { attributes: { 'service.name': 'shop-dev' } },
    });
    expect(span).toMatchObject({
      kind: 'server',
      service: 'shop-dev',
      startTimeUnixNano: '1700000000005000000',
      durationMs: 2.5,
      status: 'unset',
    });
  });
});
