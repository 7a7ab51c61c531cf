import { createMemoryKeyValue, silentLogger } from '@shop/shared';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type GatewayApp } from './app.js';
import { gateway } from './main.js';
import type { OpenApiDocument } from './openapi.js';
import { upstreamUrls } from './routes-table.js';
import { serveOnPort0 } from './testing/index.js';

const problemSchema = (service: string) => ({
  type: 'object',
  properties: { title: { type: 'string' }, [service]: { type: 'string' } },
});

function docApp(service: string, path: string, calls: { count: number }): Hono {
  const app = new Hono();
  app.get('/openapi.json', (c) => {
    calls.count += 1;
    return c.json({
      openapi: '3.1.0',
      info: { title: service, version: '1.0.0' },
      tags: [{ name: service }],
      paths: {
        [path]: {
          get: {
            tags: [service],
            responses: {
              '200': {
                description: 'ok',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
              },
              '400': {
                description: 'bad',
                content: {
                  'application/problem+json': {
                    schema: { $ref: '#/components/schemas/Problem' },
                  },
                },
              },
            },
          },
        },
      },
      components: {
        schemas: {
          Problem: problemSchema(service),
          Item: { type: 'object', properties: { same: { type: 'string' } } },
          [`${service}Only`]: { type: 'string' },
        },
      },
    });
  });
  return app;
}

const offerCalls = { count: 0 };
const authCalls = { count: 0 };
let servers: Awaited<ReturnType<typeof serveOnPort0>>[];
let app: GatewayApp;
let now = 1_000_000;

beforeAll(async () => {
  servers = await Promise.all([
    serveOnPort0(docApp('offer', '/api/offers', offerCalls)),
    serveOnPort0(docApp('auth', '/api/auth/login', authCalls)),
  ]);
  const [offer, auth] = servers;
  // Every other upstream points at a closed port (unavailable).
  const closed = Object.fromEntries(
    Object.keys(upstreamUrls(gateway.loadConfig({}))).map((name) => [name, 'http://127.0.0.1:1']),
  ) as ReturnType<typeof upstreamUrls>;
  app = createApp({
    log: silentLogger(),
    kv: createMemoryKeyValue(),
    upstreams: { ...closed, offer: offer?.url ?? '', auth: auth?.url ?? '' },
    verifyToken: async () => {
      throw new Error('unused');
    },
    openApi: { cacheSeconds: 60, timeoutMs: 1_000 },
    clock: () => now,
  });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.shutdown()));
});

describe('/openapi.json', () => {
  it('merges the upstream documents and names the unavailable ones', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDocument;
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual(['/api/auth/login', '/api/offers']);
    const schemas = doc.components?.schemas ?? {};
    // Equal components are shared; a clashing one gets the later upstream's name as prefix
    // (upstreams merge in routing-table order: auth before offer).
    expect(Object.keys(schemas).sort()).toEqual(
      ['Item', 'OfferProblem', 'Problem', 'authOnly', 'offerOnly'].sort(),
    );
    expect(schemas.Problem).toEqual(problemSchema('auth'));
    expect(schemas.OfferProblem).toEqual(problemSchema('offer'));
    const offers = JSON.stringify(doc.paths?.['/api/offers']);
    expect(offers).toContain('#/components/schemas/OfferProblem');
    expect(offers).toContain('#/components/schemas/Item');
    expect(JSON.stringify(doc.paths?.['/api/auth/login'])).toContain(
      '#/components/schemas/Problem"',
    );
    expect(doc.tags?.map((tag) => tag.name).sort()).toEqual(['auth', 'offer']);
    expect(doc['x-unavailable']).toEqual(
      expect.arrayContaining(['cart', 'user', 'redirect', 'reporting']),
    );
    expect(doc['x-unavailable']).not.toContain('offer');
  });

  it('caches the merged document for 60 seconds', async () => {
    const before = offerCalls.count;
    await app.request('/openapi.json');
    expect(offerCalls.count).toBe(before);
    now += 61_000;
    await app.request('/openapi.json');
    expect(offerCalls.count).toBe(before + 1);
  });
});
