// One declared function with a fixed JSON route, served through the entry point BENCH_ENTRY
// names: `node-server` (the kit's start(): @hono/node-server with draining, as the Knative
// images run it) or `functions-framework` (the kit's functionsFramework() behind the
// framework's own Express server, as its CLI builds it). Prints `LISTENING <port>`.
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { createServiceApp, defineFunction } from '@shop/shared';

const item = (i: number) => ({
  id: `00000000-0000-4000-8000-00000000000${i}`,
  slug: `bench-product-${i}`,
  name: `Bench product ${i}`,
  category: 'home-office',
  price: { amount: 1990 + i * 100, currency: 'EUR' },
  imageUrl: `https://images.example.com/bench-product-${i}.jpg`,
});
// Serialised once: what is measured is the entry point, not the JSON encoding.
const page = JSON.stringify({ items: [1, 2, 3, 4, 5].map(item), nextCursor: 'YmVuY2gtNQ' });
const json = { 'content-type': 'application/json; charset=UTF-8' };

const fixed = defineFunction({
  name: 'fixed',
  port: 8196,
  createApp: ({ log, lifecycle, metrics }) => {
    const app = createServiceApp({ service: 'fixed', log, lifecycle, metrics, verifyToken: null });
    app.get('/api/offers', (c) => c.body(page, 200, json));
    return app;
  },
});

const entry = process.env.BENCH_ENTRY ?? 'node-server';
if (entry === 'functions-framework') {
  const target = fixed.functionsFramework();
  await target.ready;
  const server = getTestServer('fixed');
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(`LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
  });
} else if (entry === 'node-server') {
  const running = await fixed.start({ port: 0 });
  console.log(`LISTENING ${running.port}`);
} else {
  console.error(`BENCH_ENTRY must be node-server or functions-framework, not ${entry}`);
  process.exit(1);
}
