import { request } from 'node:http';
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { Lifecycle } from './lifecycle.js';
import { silentLogger } from './logger.js';
import { serve } from './serve.js';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve', () => {
  it('finishes in-flight requests on shutdown, then refuses new ones and runs hooks', async () => {
    const lifecycle = new Lifecycle();
    const events: string[] = [];
    lifecycle.onShutdown('pool', () => {
      events.push('pool closed');
    });
    let release: () => void = () => {};
    const app = new Hono().get('/slow', async (c) => {
      events.push('slow started');
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      events.push('slow finished');
      return c.text('done');
    });
    const running = await serve(app, {
      port: 0,
      hostname: '127.0.0.1',
      log: silentLogger(),
      lifecycle,
      handleSignals: false,
    });
    expect(lifecycle.ready).toBe(true);
    const inFlight = get(running.port, '/slow');
    await vi.waitFor(() => expect(events).toContain('slow started'));
    const stopped = running.shutdown('test');
    expect(lifecycle.ready).toBe(false);
    await expect(get(running.port, '/slow')).rejects.toThrow();
    release();
    expect(await inFlight).toEqual({ status: 200, body: 'done' });
    await stopped;
    expect(events).toEqual(['slow started', 'slow finished', 'pool closed']);
  });
});
