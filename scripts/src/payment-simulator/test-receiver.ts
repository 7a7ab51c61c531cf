// A webhook endpoint for the simulator's tests: a Hono app on a free port recording each call.
import { Lifecycle, serve, silentLogger } from '@shop/shared';
import { Hono } from 'hono';

export interface ReceivedCall {
  headers: Record<string, string>;
  body: string;
  /** performance.now() when the call arrived. */
  at: number;
}

export interface TestReceiver {
  url: string;
  calls: ReceivedCall[];
  /** Answers the next calls with these statuses in turn, then 200. */
  failNext(...statuses: number[]): void;
  /** Forgets the calls and the queued failures. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a receiver at `http://127.0.0.1:<port>/webhooks/payments/stripe`. */
export async function startTestReceiver(): Promise<TestReceiver> {
  const calls: ReceivedCall[] = [];
  const queued: number[] = [];
  const app = new Hono();
  app.post('/webhooks/payments/:scheme', async (c) => {
    calls.push({
      headers: Object.fromEntries(c.req.raw.headers),
      body: await c.req.text(),
      at: performance.now(),
    });
    const status = queued.shift() ?? 200;
    if (status >= 300 && status < 400) {
      // Somewhere else on the same receiver, so a followed redirect would show as a call.
      return c.redirect('/webhooks/payments/followed', status as 302);
    }
    return c.json({ received: status === 200 }, status as 200);
  });
  const running = await serve(app, {
    port: 0,
    hostname: '127.0.0.1',
    log: silentLogger(),
    lifecycle: new Lifecycle(),
    handleSignals: false,
    shutdownTimeoutMs: 1_000,
  });
  return {
    url: `http://127.0.0.1:${running.port}/webhooks/payments/stripe`,
    calls,
    failNext: (...statuses) => queued.push(...statuses),
    reset: () => {
      calls.length = 0;
      queued.length = 0;
    },
    close: () => running.shutdown('test done'),
  };
}
