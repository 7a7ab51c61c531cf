// Baseline: a bare @hono/node-server hello world, the floor any function's latency sits on.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono().get('*', (c) => c.json({ hello: 'world' }));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  console.log(`LISTENING ${info.port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
