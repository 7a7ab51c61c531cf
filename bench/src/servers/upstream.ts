// The upstream behind the gateway bench: a bare @hono/node-server app answering
// GET /api/offers and /api/offers/:slug with a fixed ~1 KB catalog page, and publishing the
// bench's public signing key at /.well-known/jwks.json (BENCH_JWK_PUBLIC, a public JWK as JSON)
// and an empty revocation feed at /internal/sessions/revocations, so the gateway forwards to it
// and verifies tokens with it as it would with auth. Prints `LISTENING <port>`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const jwk = process.env.BENCH_JWK_PUBLIC;
if (!jwk) {
  console.error('servers/upstream.ts needs BENCH_JWK_PUBLIC (see bench/src/gateway.ts)');
  process.exit(1);
}
const jwks = JSON.stringify({ keys: [JSON.parse(jwk)] });

const item = (i: number) => ({
  id: `00000000-0000-4000-8000-00000000000${i}`,
  slug: `bench-product-${i}`,
  name: `Bench product ${i}`,
  category: 'home-office',
  priceCents: 1990 + i * 100,
  currency: 'EUR',
  imageUrl: `https://images.example.com/bench-product-${i}.jpg`,
});
// Fixed bodies (serialised once): what is measured is the hop, not the JSON encoding.
const page = JSON.stringify({ items: [1, 2, 3, 4, 5].map(item), nextCursor: 'YmVuY2gtNQ' });
const one = JSON.stringify(item(1));

const json = { 'content-type': 'application/json; charset=UTF-8' };
const app = new Hono()
  .get('/.well-known/jwks.json', (c) => c.body(jwks, 200, json))
  // auth's revocation feed, empty: verifiers refuse a token with a session id they cannot check.
  .get('/internal/sessions/revocations', (c) =>
    c.json({ revoked: [], asOf: new Date().toISOString() }),
  )
  .get('/api/offers', (c) => c.body(page, 200, json))
  .get('/api/offers/:slug', (c) => c.body(one, 200, json));

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  console.log(`LISTENING ${info.port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
