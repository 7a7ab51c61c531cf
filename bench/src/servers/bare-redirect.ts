// Baseline of the redirect bench: a bare @hono/node-server handler answering the same 302 the
// redirect function answers for a bench link (same Location shape and no-store headers), with
// no lookup, no click and no kit — the floor of any redirect.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono().get('/r/:code', (c) => {
  const location = `https://shop.example/landing/${c.req.param('code')}?utm_source=bench&shop_click=${crypto.randomUUID()}`;
  return c.body(null, 302, {
    location,
    'cache-control': 'private, no-store',
    'x-robots-tag': 'noindex, nofollow',
    'referrer-policy': 'no-referrer',
  });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  console.log(`LISTENING ${info.port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
