import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  conversionWebhook,
  DEV_STANDARD_WEBHOOK_SECRET,
  DEV_STRIPE_WEBHOOK_SECRET,
  signStandardPayload,
} from './main.js';
import { succeededEvent } from './testing/fixtures.js';

const stripe = new Stripe('sk_test_main');

/** A broker ingress that answers 202 and keeps what it received. */
async function startSink() {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/shop/default`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function waitFor(check: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startConversionWebhook', () => {
  it('keeps events stored while no sink runs and publishes them once an instance with K_SINK starts', async () => {
    const sink = await startSink();
    const { db, cleanup } = await testDatabase();
    const options = { db, port: 0, log: silentLogger(), handleSignals: false };
    try {
      // An instance without K_SINK (or one that crashed before publishing) stores the event…
      const first = await conversionWebhook.start({ ...options, env: { RUN_MIGRATIONS: 'true' } });
      expect(first.config.STRIPE_WEBHOOK_SECRET).toEqual([DEV_STRIPE_WEBHOOK_SECRET]);
      const orderId = randomUUID();
      const payload = JSON.stringify(succeededEvent({ orderId }));
      const res = await fetch(`http://127.0.0.1:${first.port}/webhooks/payments/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': stripe.webhooks.generateTestHeaderString({
            payload,
            secret: DEV_STRIPE_WEBHOOK_SECRET,
          }),
        },
        body: payload,
      });
      expect(res.status).toBe(200);
      await first.shutdown();
      expect(sink.received).toEqual([]);

      // …and the next instance with a sink publishes it.
      const second = await conversionWebhook.start({
        ...options,
        env: { RUN_MIGRATIONS: 'true', K_SINK: sink.url },
      });
      try {
        await waitFor(() => sink.received.length > 0);
        const [published] = sink.received;
        expect(published?.headers['ce-type']).toBe('shop.payment.succeeded');
        expect(published?.headers['ce-source']).toBe('/shop/conversion-webhook');
        expect(published?.headers['ce-subject']).toBe(orderId);
        expect(JSON.parse(published?.body ?? '{}')).toMatchObject({ orderId, provider: 'stripe' });

        const standard = JSON.stringify(succeededEvent());
        const answer = await fetch(`http://127.0.0.1:${second.port}/webhooks/payments/standard`, {
          method: 'POST',
          headers: { ...signStandardPayload('msg_main', standard, [DEV_STANDARD_WEBHOOK_SECRET]) },
          body: standard,
        });
        expect(answer.status).toBe(200);
        // Woken by the commit, the relay publishes within moments.
        await waitFor(() => sink.received.length > 1);
        expect(sink.received[1]?.headers['ce-type']).toBe('shop.payment.succeeded');
      } finally {
        await second.shutdown();
      }
    } finally {
      await cleanup();
      await sink.close();
    }
  });

  it('defaults to an embedded PGlite on port 8088 with the dev secrets', async () => {
    const webhook = await conversionWebhook.start({
      env: {},
      port: 0,
      log: silentLogger(),
      handleSignals: false,
    });
    try {
      expect(webhook.db.kind).toBe('pglite');
      expect(webhook.config.PORT).toBe(8088);
      expect(webhook.relay).toBeUndefined();
    } finally {
      await webhook.shutdown();
    }
  });
});

describe('loadConversionWebhookConfig', () => {
  const production = { DATABASE_URL: 'postgres://db/shop' };

  it('defaults to the dev secrets the payment provider simulator signs with', () => {
    const config = conversionWebhook.loadConfig({});
    expect(config.STRIPE_WEBHOOK_SECRET).toEqual(['whsec_dev_simulator']);
    expect(config.STANDARD_WEBHOOK_SECRET).toEqual(['whsec_ZGV2LXBheW1lbnQtc2ltdWxhdG9yLTI0']);
    expect(config.WEBHOOK_TOLERANCE_SECONDS).toBe(300);
    expect(config.RUN_MIGRATIONS).toBe(true);
  });

  it('reads comma-separated secrets for rotation', () => {
    const standard = `whsec_${Buffer.from('production-standard-key!').toString('base64')}`;
    const config = conversionWebhook.loadConfig({
      ...production,
      STRIPE_WEBHOOK_SECRET: 'whsec_new_one_1234, whsec_old_one_1234',
      STANDARD_WEBHOOK_SECRET: standard,
      WEBHOOK_TOLERANCE_SECONDS: '600',
    });
    expect(config.STRIPE_WEBHOOK_SECRET).toEqual(['whsec_new_one_1234', 'whsec_old_one_1234']);
    expect(config.STANDARD_WEBHOOK_SECRET).toEqual([standard]);
    expect(config.WEBHOOK_TOLERANCE_SECONDS).toBe(600);
    expect(config.RUN_MIGRATIONS).toBe(false);
  });

  it('refuses the dev secrets when DATABASE_URL is set, and uses none by default there', () => {
    expect(() =>
      conversionWebhook.loadConfig({
        ...production,
        STRIPE_WEBHOOK_SECRET: DEV_STRIPE_WEBHOOK_SECRET,
      }),
    ).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() =>
      conversionWebhook.loadConfig({
        ...production,
        STANDARD_WEBHOOK_SECRET: DEV_STANDARD_WEBHOOK_SECRET,
      }),
    ).toThrow(/STANDARD_WEBHOOK_SECRET/);
    const config = conversionWebhook.loadConfig(production);
    expect(config.STRIPE_WEBHOOK_SECRET).toEqual([]);
    expect(config.STANDARD_WEBHOOK_SECRET).toEqual([]);
  });

  it('refuses a Standard Webhooks secret that is not whsec_ + base64', () => {
    expect(() =>
      conversionWebhook.loadConfig({ STANDARD_WEBHOOK_SECRET: 'whsec_not base64!' }),
    ).toThrow(/STANDARD_WEBHOOK_SECRET/);
  });
});
