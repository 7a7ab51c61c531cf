import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { defineCatalog, defineEvent } from '../events/catalog.js';
import { buildCloudEvent, toBinaryMessage } from '../events/cloud-event.js';
import { EventTooLargeError } from '../events/event-size.js';
import { createOutboxRelay } from '../events/outbox-relay.js';
import { createPublisher } from '../events/publish.js';
import { silentLogger } from '../logger.js';
import { testDatabase, testEventHeaders, testVerifyEventSender } from '../testing/index.js';
import { defineEvents } from './define-events.js';

const catalog = defineCatalog(
  defineEvent({
    type: 'shop.order.placed',
    description: 'An order was placed.',
    producer: 'shop',
    consumers: ['billing'],
    partitionKey: 'orderId',
    schema: z.object({ orderId: z.string(), note: z.string() }).strict(),
  }),
  defineEvent({
    type: 'shop.invoice.issued',
    description: 'Billing issued the invoice of an order.',
    producer: 'billing',
    consumers: [],
    partitionKey: 'orderId',
    schema: z.object({ orderId: z.string(), invoiceId: z.string() }).strict(),
  }),
);

const billing = defineEvents({
  catalog,
  producer: 'billing',
  publishes: ['shop.invoice.issued'],
  consumes: ['shop.order.placed'],
  maxEventBytes: 2_000,
});

const AUDIENCE = 'serving.knative.dev/service/shop/billing';
const verifySender = testVerifyEventSender(AUDIENCE);
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

let db: Database;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await testDatabase());
  await db.exec(`
    CREATE SCHEMA billing;
    CREATE TABLE billing.outbox (
      id uuid PRIMARY KEY, type text NOT NULL, subject text, partition_key text,
      data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz, attempts int NOT NULL DEFAULT 0, last_error text,
      next_attempt_at timestamptz, last_attempt_at timestamptz, parked_at timestamptz,
      parked_reason text, traceparent text, request_id text
    );
    CREATE TABLE billing.inbox (
      source text NOT NULL, id text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (source, id)
    );`);
});
afterAll(() => cleanup());

/** A broker ingress stand-in that answers 202 and keeps the CloudEvents headers it got. */
async function startSink() {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(202).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shop/default`;
  return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

function placed(orderId: string) {
  const event = buildCloudEvent(
    catalog,
    '/shop/shop',
    'shop.order.placed',
    { orderId, note: '' },
    { id: `evt-${crypto.randomUUID()}`, traceparent: TRACEPARENT },
  );
  const { headers, body } = toBinaryMessage(event);
  // The broker's dispatcher presents its OIDC token to the subscriber.
  for (const [name, value] of Object.entries(testEventHeaders(AUDIENCE))) headers.set(name, value);
  return { method: 'POST', headers, body };
}

describe('defineEvents: what a consumer emits goes through its outbox', () => {
  it('publishes the reply through the relay though the broker never reads the HTTP answer, once per event however often it comes', async () => {
    let woken = 0;
    const receiver = billing.receiver({
      db,
      verifySender,
      log: silentLogger(),
      onEventsRecorded: () => {
        woken++;
      },
      handlers: {
        'shop.order.placed': async (event, { emit }) => {
          await emit({
            type: 'shop.invoice.issued',
            data: { orderId: event.data.orderId, invoiceId: `inv-${event.data.orderId}` },
            subject: event.data.orderId,
          });
        },
      },
    });
    const delivery = placed('o-1');
    // The broker's HTTP answer is lost: nobody reads its body. It held no event anyway.
    const answer = await receiver.request('/', delivery);
    expect(answer.status).toBe(204);
    expect(woken).toBe(1);
    // Knative redelivers (the answer never arrived): a duplicate, nothing emitted again.
    expect((await receiver.request('/', delivery)).status).toBe(204);
    expect((await receiver.request('/', delivery)).status).toBe(204);
    expect(woken).toBe(1);

    const sink = await startSink();
    try {
      const log = silentLogger();
      const publisher = createPublisher({ sink: sink.url, source: billing.source, catalog, log });
      const relay = createOutboxRelay({ db, schema: 'billing', publisher, log });
      expect(await relay.drainOnce()).toBe(1);
      expect(await relay.drainOnce()).toBe(0);
      expect(sink.received).toEqual([
        expect.objectContaining({
          'ce-type': 'shop.invoice.issued',
          'ce-source': '/shop/billing',
          'ce-subject': 'o-1',
          'ce-partitionkey': 'o-1',
          'ce-traceparent': TRACEPARENT,
        }),
      ]);
    } finally {
      await sink.close();
    }
  });

  it('keeps the reply when the connection breaks before the answer reaches the broker', async () => {
    const receiver = billing.receiver({
      db,
      verifySender,
      log: silentLogger(),
      handlers: {
        'shop.order.placed': async (event, { emit }) => {
          await emit({
            type: 'shop.invoice.issued',
            data: { orderId: event.data.orderId, invoiceId: 'inv-lost' },
          });
        },
      },
    });
    // The subscriber handles the delivery, then its connection dies before any answer is sent.
    let deliveries = 0;
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(name, value);
      }
      const answer = await receiver.request('/', {
        method: 'POST',
        headers,
        body: Buffer.concat(chunks),
      });
      if (++deliveries === 1) return req.socket.destroy();
      res.writeHead(answer.status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const delivery = placed('o-lost');
    try {
      await expect(fetch(url, delivery)).rejects.toThrow();
      // The broker retries what got no answer: a duplicate now, handled once.
      expect((await fetch(url, delivery)).status).toBe(204);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const { rows } = await db.query<{ data: unknown }>(
      `SELECT data FROM billing.outbox WHERE subject IS NULL AND data->>'orderId' = 'o-lost'`,
    );
    expect(rows).toEqual([{ data: { orderId: 'o-lost', invoiceId: 'inv-lost' } }]);
  });

  it('lets a handler emit only the types its function publishes', () => {
    billing.receiver({
      db,
      verifySender,
      log: silentLogger(),
      handlers: {
        'shop.order.placed': async (_event, { emit }) => {
          // @ts-expect-error: billing does not publish shop.order.placed
          await emit({ type: 'shop.order.placed', data: { orderId: 'x', note: '' } });
          // @ts-expect-error: invoiceId is missing
          await emit({ type: 'shop.invoice.issued', data: { orderId: 'x' } });
        },
      },
    });
  });

  it('refuses to write an event over the size limit, with a 413 problem that rolls the change back', async () => {
    const write = db.transaction((tx) =>
      billing.write(tx, {
        type: 'shop.invoice.issued',
        data: { orderId: 'o-big', invoiceId: 'x'.repeat(2_000) },
      }),
    );
    await expect(write).rejects.toThrow(EventTooLargeError);
    await expect(write).rejects.toMatchObject({
      status: 413,
      detail: expect.stringMatching(
        /shop\.invoice\.issued event .* bytes, over the broker's limit of 2000 bytes/,
      ),
    });
    const { rows } = await db.query(`SELECT 1 FROM billing.outbox WHERE subject = 'o-big'`);
    expect(rows).toEqual([]);
  });

  it('keeps the catalog partition key in the row, so the relay orders as Kafka does', async () => {
    const id = await db.transaction((tx) =>
      billing.write(tx, { type: 'shop.invoice.issued', data: { orderId: 'o-7', invoiceId: 'i' } }),
    );
    const { rows } = await db.query<{ partition_key: string }>(
      'SELECT partition_key FROM billing.outbox WHERE id = $1',
      [id],
    );
    expect(rows).toEqual([{ partition_key: 'o-7' }]);
  });
});
