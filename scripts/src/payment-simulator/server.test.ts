import { silentLogger } from '@shop/shared';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningPaymentSimulator, startPaymentSimulator } from './server.js';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';

let receiver: TestReceiver;
let sim: RunningPaymentSimulator;

beforeAll(async () => {
  receiver = await startTestReceiver();
  sim = await startPaymentSimulator({
    port: 0,
    handleSignals: false,
    log: silentLogger(),
    env: {
      SIMULATOR_API_KEY: 'sk_test_server',
      SIMULATOR_WEBHOOK_URL: receiver.url,
      SIMULATOR_RETRY_BASE_MS: '10',
      SIMULATOR_SEED: '7',
    },
  });
});
afterAll(async () => {
  await sim.shutdown('test done');
  await receiver.close();
});

it('serves health checks and the API on its port, linking the pay page to its own origin', async () => {
  expect((await fetch(`${sim.url}/healthz`)).status).toBe(200);
  const response = await fetch(`${sim.url}/v1/payment_intents`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer sk_test_server',
      'content-type': 'application/json',
      'idempotency-key': 'order-42',
    },
    body: JSON.stringify({
      amount: 990,
      currency: 'eur',
      metadata: { orderId: '0193a3f0-7b6c-7c1e-9f00-5a1b2c3d4e5f' },
    }),
  });
  expect(response.status).toBe(200);
  const intent = (await response.json()) as {
    id: string;
    next_action: { redirect_to_url: { url: string } };
  };
  const payUrl = intent.next_action.redirect_to_url.url;
  expect(payUrl).toBe(`${sim.url}/pay/${intent.id}`);
  const page = await fetch(payUrl);
  expect(await page.text()).toContain('€9.90');
  const paid = await fetch(`${payUrl}/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
  expect(paid.status).toBe(200);
  await sim.settled();
  expect(receiver.calls).toHaveLength(1);
  expect(receiver.calls[0]?.headers['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
});

it('refuses a bad configuration naming the variable', async () => {
  const started = startPaymentSimulator({
    port: 0,
    handleSignals: false,
    log: silentLogger(),
    env: { SIMULATOR_DUPLICATE_RATE: '2', STANDARD_WEBHOOK_SECRET: 'whsec_not base64' },
  });
  await expect(started).rejects.toThrow(/SIMULATOR_DUPLICATE_RATE/);
  await expect(started).rejects.toThrow(/STANDARD_WEBHOOK_SECRET/);
});
