import { silentLogger } from '@shop/shared';
import { CloudEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import type { BrokerEvent } from './cloudevent.js';
import { createBrokerApp } from './ingress.js';

function buildApp(write: (broker: string, event: BrokerEvent) => Promise<void> = async () => {}) {
  const written: { broker: string; event: BrokerEvent }[] = [];
  const app = createBrokerApp({
    brokers: new Set(['shop/default']),
    log: silentLogger(),
    async write(broker, event) {
      await write(broker, event);
      written.push({ broker, event });
    },
  });
  return { app, written };
}

const binary = {
  'ce-specversion': '1.0',
  'ce-id': 'e1',
  'ce-source': '/shop/offer',
  'ce-type': 'shop.offer.price_changed',
  'content-type': 'application/json',
};

describe('broker ingress', () => {
  it('answers 202 to a binary-mode event once written, with no body', async () => {
    const { app, written } = buildApp();
    const res = await app.request('/shop/default', {
      method: 'POST',
      headers: binary,
      body: '{"p":1}',
    });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    expect(written).toHaveLength(1);
    expect(written[0]!.broker).toBe('shop/default');
    expect(written[0]!.event.attributes.id).toBe('e1');
    expect(written[0]!.event.data?.toString()).toBe('{"p":1}');
  });

  it('answers 202 to a structured-mode event and stores it as attributes plus data bytes', async () => {
    const { app, written } = buildApp();
    const message = HTTP.structured(
      new CloudEvent({ id: 's1', source: '/s', type: 't', data: { a: 1 }, partitionkey: 'k' }),
    );
    const res = await app.request('/shop/default', {
      method: 'POST',
      headers: message.headers as Record<string, string>,
      body: message.body as string,
    });
    expect(res.status).toBe(202);
    expect(written[0]!.event.attributes).toMatchObject({ id: 's1', partitionkey: 'k' });
    expect(JSON.parse(written[0]!.event.data!.toString())).toEqual({ a: 1 });
  });

  it('answers 400 problem+json to a body that is not a CloudEvent, and writes nothing', async () => {
    const { app, written } = buildApp();
    const plain = await app.request('/shop/default', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id":"x"}',
    });
    expect(plain.status).toBe(400);
    expect(plain.headers.get('content-type')).toBe('application/problem+json');
    expect(((await plain.json()) as { detail: string }).detail).toContain('not a CloudEvent');
    const noType = await app.request('/shop/default', {
      method: 'POST',
      headers: { ...binary, 'ce-type': '' },
    });
    expect(noType.status).toBe(400);
    expect(((await noType.json()) as { detail: string }).detail).toContain('type is missing');
    expect(written).toHaveLength(0);
  });

  it('answers 404 to an unknown broker', async () => {
    const { app } = buildApp();
    const res = await app.request('/shop/other', { method: 'POST', headers: binary });
    expect(res.status).toBe(404);
  });

  it('answers 405 to other methods, checked before the broker exists', async () => {
    const { app } = buildApp();
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await app.request('/shop/default', { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
    expect((await app.request('/shop/unknown')).status).toBe(405);
  });

  it('answers 503 when the write fails', async () => {
    const { app } = buildApp(async () => {
      throw new Error('Kafka is down');
    });
    const res = await app.request('/shop/default', { method: 'POST', headers: binary, body: '{}' });
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain('Kafka is down');
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    const { app } = buildApp();
    const res = await app.request('/shop/default', {
      method: 'POST',
      headers: binary,
      body: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
  });

  it('serves /healthz, /readyz and /metrics with ingress counts by broker and code', async () => {
    const { app } = buildApp();
    await app.request('/shop/default', { method: 'POST', headers: binary });
    await app.request('/shop/default', { method: 'GET' });
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
    const text = await (await app.request('/metrics')).text();
    expect(text).toContain(
      'broker_ingress_events_total{namespace="shop",broker="default",http_response_status_code="202"',
    );
    expect(text).toContain(
      'broker_ingress_events_total{namespace="shop",broker="default",http_response_status_code="405"',
    );
  });
});
