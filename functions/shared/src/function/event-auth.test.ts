import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCatalog, defineEvent } from '../events/catalog.js';
import { createPublisher } from '../events/publish.js';
import { silentLogger } from '../logger.js';
import { Problem } from '../problem.js';
import {
  TEST_EVENT_SENDER,
  TEST_EVENTS_ISSUER,
  testEventHeaders,
  testEventsJwks,
} from '../testing/event-senders.js';
import {
  eventSenderVerifierFromConfig,
  functionAudience,
  sinkTokenFromConfig,
} from './event-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'event-auth-'));
let jwksUrl = '';
let closeJwks: () => void = () => {};
beforeAll(async () => {
  // The issuer's keys over HTTP, as the cluster's API server (or the dev broker) serves them.
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(testEventsJwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openid/v1/jwks`;
  closeJwks = () => server.close();
});
afterAll(() => {
  closeJwks();
  rmSync(dir, { recursive: true, force: true });
});

const request = (headers: Record<string, string> = {}) =>
  new Request('http://cart.test/events', { method: 'POST', headers });
async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof Problem) return error.status;
    throw error;
  }
}

describe('eventSenderVerifierFromConfig', () => {
  const audience = functionAudience('cart');

  it('verifies the issuer, the keys, the function’s audience and EVENTS_ALLOWED_SENDERS', async () => {
    const verify = eventSenderVerifierFromConfig(
      {
        DATABASE_URL: 'postgres://db/shop',
        EVENTS_OIDC_ISSUER: TEST_EVENTS_ISSUER,
        EVENTS_OIDC_JWKS_URL: jwksUrl,
        EVENTS_ALLOWED_SENDERS: `${TEST_EVENT_SENDER}, system:serviceaccount:ops:*`,
      },
      { name: 'cart', log: silentLogger() },
    );
    expect(await verify(request(testEventHeaders(audience)))).toEqual({
      subject: TEST_EVENT_SENDER,
      audience,
      issuer: TEST_EVENTS_ISSUER,
    });
    const prefixed = testEventHeaders(audience, { subject: 'system:serviceaccount:ops:replayer' });
    expect(await statusOf(verify(request(prefixed)))).toBe(200);
    expect(await statusOf(verify(request()))).toBe(401);
    expect(await statusOf(verify(request(testEventHeaders(functionAudience('user')))))).toBe(401);
    const stranger = testEventHeaders(audience, { subject: 'system:serviceaccount:shop:offer' });
    expect(await statusOf(verify(request(stranger)))).toBe(403);
  });

  it('fails closed: no issuer in production, or no allowed senders, refuses every event with 401', async () => {
    for (const settings of [
      { DATABASE_URL: 'postgres://db/shop', EVENTS_ALLOWED_SENDERS: TEST_EVENT_SENDER },
      { EVENTS_OIDC_ISSUER: TEST_EVENTS_ISSUER, EVENTS_OIDC_JWKS_URL: jwksUrl },
    ]) {
      const lines: string[] = [];
      const log = silentLogger();
      log.error = ((message: string) => {
        lines.push(message);
      }) as typeof log.error;
      const verify = eventSenderVerifierFromConfig(settings, { name: 'cart', log });
      expect(lines.join()).toMatch(/every event sent to \/events is refused/);
      await expect(verify(request(testEventHeaders(audience)))).rejects.toMatchObject({
        status: 401,
        detail: expect.stringMatching(/not configured/),
      });
    }
  });
});

describe('sinkTokenFromConfig and the publisher', () => {
  it('reads K_SINK_OIDC_TOKEN_FILE, presents it as a bearer token, and refuses a missing file at start', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first-token\n');
    const token = sinkTokenFromConfig(
      { K_SINK: 'http://broker.test/shop/default', K_SINK_OIDC_TOKEN_FILE: file },
      { log: silentLogger() },
    );
    expect(await token?.()).toBe('first-token');
    const sent: Headers[] = [];
    const publisher = createPublisher({
      sink: 'http://broker.test/shop/default',
      source: '/shop/test',
      catalog: defineCatalog(
        defineEvent({
          type: 'shop.test.happened',
          description: 'A test event.',
          producer: 'test',
          consumers: ['test'],
          partitionKey: 'key',
          schema: z.object({ key: z.string() }).strict(),
        }),
      ),
      log: silentLogger(),
      ...(token && { token }),
      fetch: async (_url, init) => {
        sent.push(new Headers(init?.headers));
        return new Response(null, { status: 202 });
      },
    });
    await publisher.publish('shop.test.happened', { key: 'k' });
    writeFileSync(file, 'renewed-token\n');
    expect(sent.map((h) => h.get('authorization'))).toEqual(['Bearer first-token']);
    expect(() =>
      sinkTokenFromConfig(
        { K_SINK: 'http://broker.test', K_SINK_OIDC_TOKEN_FILE: join(dir, 'missing') },
        { log: silentLogger() },
      ),
    ).toThrow(/K_SINK_OIDC_TOKEN_FILE/);
    expect(sinkTokenFromConfig({}, { log: silentLogger() })).toBeUndefined();
  });
});
