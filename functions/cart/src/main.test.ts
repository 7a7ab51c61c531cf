import { serve as honoServe } from '@hono/node-server';
import { silentLogger } from '@shop/shared';
import { testDatabase, testKeyValue } from '@shop/shared/testing';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { cart as cartFunction, createOfferClient, createPaymentClient } from './main.js';
import { orderReturnUrl } from './payment-client.js';

/** A small HTTP server on a free port for the duration of `run`. */
async function withServer(app: Hono, run: (url: string) => Promise<void>) {
  const server = await new Promise<ReturnType<typeof honoServe>>((resolve) => {
    const s = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    await run(`http://127.0.0.1:${port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('startCart', () => {
  it('migrates, serves on the given port and shuts down, keeping injected stores open', async () => {
    const { db, cleanup } = await testDatabase();
    const store = testKeyValue();
    try {
      const cart = await cartFunction.start({
        env: {},
        db,
        kv: store.kv,
        port: 0,
        log: silentLogger(),
        handleSignals: false,
      });
      expect(cart.port).toBeGreaterThan(0);
      expect(cart.config.PORT).toBe(8084);
      expect(cart.relay).toBeUndefined();
      const base = `http://127.0.0.1:${cart.port}`;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const empty = (await (await fetch(`${base}/api/cart`)).json()) as { items: unknown[] };
      expect(empty.items).toEqual([]);
      await cart.shutdown();
      await db.ping();
      await store.kv.ping();
    } finally {
      await store.cleanup();
      await cleanup();
    }
  });

  it('with RUN_MIGRATIONS=false refuses an unmigrated database, naming the command', async () => {
    const { db, cleanup } = await testDatabase();
    try {
      await expect(
        cartFunction.start({
          env: { RUN_MIGRATIONS: 'false' },
          db,
          port: 0,
          log: silentLogger(),
          handleSignals: false,
        }),
      ).rejects.toThrow(/001_orders\.sql.*npm run migrate -w @shop\/cart/);
    } finally {
      await cleanup();
    }
  });

  it('refuses an invalid environment naming the variable', async () => {
    await expect(
      cartFunction.start({ env: { OFFER_URL: 'not a url' }, log: silentLogger() }),
    ).rejects.toThrow(/OFFER_URL/);
  });
});

describe('offer client', () => {
  it('reads a product, caches it for a few seconds, and maps 404 to null', async () => {
    let calls = 0;
    let now = 0;
    const app = new Hono();
    app.get('/api/offers/:id', (c) => {
      calls += 1;
      if (c.req.param('id') === 'gone') return c.json({ title: 'Not Found' }, 404);
      return c.json({
        id: c.req.param('id'),
        slug: 's',
        name: 'n',
        priceAmount: 5,
        currency: 'EUR',
        stock: 1,
        status: 'active',
      });
    });
    await withServer(app, async (url) => {
      const offer = createOfferClient({ baseUrl: url, cacheMs: 3000, clock: () => now });
      expect(await offer.getProduct('p1')).toMatchObject({ id: 'p1', priceAmount: 5 });
      expect(await offer.getProduct('p1')).toMatchObject({ id: 'p1' });
      expect(calls).toBe(1);
      now += 3001;
      await offer.getProduct('p1');
      expect(calls).toBe(2);
      await offer.getProduct('p1', { fresh: true });
      expect(calls).toBe(3);
      expect(await offer.getProduct('gone')).toBeNull();
    });
  });

  it('gives up after its timeout with a 503 problem', async () => {
    const app = new Hono();
    app.get('/api/offers/:id', async (c) => {
      await new Promise((r) => setTimeout(r, 500));
      return c.json({});
    });
    await withServer(app, async (url) => {
      const offer = createOfferClient({ baseUrl: url, timeoutMs: 50 });
      await expect(offer.getProduct('slow')).rejects.toMatchObject({ status: 503 });
    });
  });
});

describe('payment client', () => {
  it('creates an intent with the API key, lowercase currency and the order id as Idempotency-Key', async () => {
    const seen: { auth?: string; key?: string; body?: unknown }[] = [];
    const app = new Hono();
    app.post('/v1/payment_intents', async (c) => {
      seen.push({
        auth: c.req.header('authorization'),
        key: c.req.header('idempotency-key'),
        body: await c.req.json(),
      });
      return c.json({
        id: 'pi_123',
        object: 'payment_intent',
        client_secret: 'pi_123_secret_abc',
        next_action: { type: 'redirect_to_url', redirect_to_url: { url: 'http://sim/pay/pi_123' } },
      });
    });
    await withServer(app, async (url) => {
      const payments = createPaymentClient({ baseUrl: url, apiKey: 'sk_test_x' });
      const orderId = crypto.randomUUID();
      const intent = await payments.createIntent({ orderId, amount: 1234, currency: 'EUR' });
      expect(intent).toEqual({
        id: 'pi_123',
        clientSecret: 'pi_123_secret_abc',
        redirectUrl: 'http://sim/pay/pi_123',
      });
      expect(seen).toEqual([
        {
          auth: 'Bearer sk_test_x',
          key: orderId,
          body: { amount: 1234, currency: 'eur', metadata: { orderId } },
        },
      ]);
    });
  });

  it('names the order page to come back to, made from PAYMENT_RETURN_URL for each order', async () => {
    const bodies: unknown[] = [];
    const app = new Hono();
    app.post('/v1/payment_intents', async (c) => {
      bodies.push(await c.req.json());
      return c.json({ id: 'pi_9', client_secret: 'pi_9_secret_x', next_action: null });
    });
    await withServer(app, async (url) => {
      const orderId = crypto.randomUUID();
      const returning = createPaymentClient({
        baseUrl: url,
        apiKey: 'sk_test_x',
        returnUrl: 'https://shop.example/orders/{orderId}',
      });
      await returning.createIntent({ orderId, amount: 500, currency: 'EUR' });
      await createPaymentClient({ baseUrl: url, apiKey: 'sk_test_x' }).createIntent({
        orderId,
        amount: 500,
        currency: 'EUR',
      });
      expect(bodies).toEqual([
        expect.objectContaining({ return_url: `https://shop.example/orders/${orderId}` }),
        expect.not.objectContaining({ return_url: expect.anything() }),
      ]);
    });
    // Every place the template names the order, encoded; a template without it is refused.
    expect(orderReturnUrl('https://shop.example/o/{orderId}?again={orderId}', 'a/b')).toBe(
      'https://shop.example/o/a%2Fb?again=a%2Fb',
    );
    await expect(
      cartFunction.start({
        env: { PAYMENT_RETURN_URL: 'https://shop.example/orders' },
        log: silentLogger(),
      }),
    ).rejects.toThrow(/PAYMENT_RETURN_URL/);
  });
});
