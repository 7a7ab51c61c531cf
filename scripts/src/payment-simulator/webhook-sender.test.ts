import { silentLogger } from '@shop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';
import { createWebhookSender, type Delivery, retryDelayMs } from './webhook-sender.js';

let receiver: TestReceiver;
beforeAll(async () => {
  receiver = await startTestReceiver();
});
afterAll(() => receiver.close());

const newDelivery = (): Delivery => ({ status: 'pending', attempts: [] });
const config = (url: string, maxAttempts = 3) => ({
  url,
  mode: 'stripe' as const,
  secrets: ['whsec_test'],
  maxAttempts,
  retryBaseMs: 1,
});

describe('webhook sender', () => {
  it('doubles the delay after each failed attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs({ retryBaseMs: 1000 }, attempt))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
  });

  it('treats a redirect as a failed attempt and never follows it', async () => {
    receiver.reset();
    receiver.failNext(302);
    const sender = createWebhookSender({ config: config(receiver.url, 1), log: silentLogger() });
    const delivery = newDelivery();
    await sender.deliver('evt_redirect', '{}', delivery);
    expect(delivery).toMatchObject({ status: 'failed', attempts: [{ status: 302 }] });
    expect(receiver.calls).toHaveLength(1);
  });

  it('gives up an attempt the endpoint does not answer within the timeout', async () => {
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const sender = createWebhookSender({
      config: { ...config('http://127.0.0.1:9/hook', 2), attemptTimeoutMs: 30 },
      fetch: hanging,
      log: silentLogger(),
    });
    const delivery = newDelivery();
    await sender.deliver('evt_slow', '{}', delivery);
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts.map((attempt) => attempt.error)).toEqual([
      'no answer within 30 ms',
      'no answer within 30 ms',
    ]);
  });

  it('stops waiting retries on stop', async () => {
    const failing: typeof fetch = async () => new Response('no', { status: 500 });
    const sender = createWebhookSender({
      config: { ...config('http://127.0.0.1:9/hook', 5), retryBaseMs: 60_000 },
      fetch: failing,
      log: silentLogger(),
    });
    const delivery = newDelivery();
    const done = sender.deliver('evt_stop', '{}', delivery);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(delivery.nextAttemptAt).toBeDefined();
    sender.stop();
    await done;
    expect(delivery).toMatchObject({ status: 'stopped', attempts: [{ status: 500 }] });
  });
});
