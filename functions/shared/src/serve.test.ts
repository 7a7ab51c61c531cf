import { request } from 'node:http';
import { connect } from 'node:net';
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

  it('answers a request it cannot parse with problem+json: 431 for oversized headers, 400 for broken HTTP', async () => {
    const app = new Hono().get('/', (c) => c.text('ok'));
    const running = await serve(app, {
      port: 0,
      hostname: '127.0.0.1',
      log: silentLogger(),
      lifecycle: new Lifecycle(),
      handleSignals: false,
    });
    try {
      const long = await fetch(`http://127.0.0.1:${running.port}/?q=${'x'.repeat(20_000)}`);
      expect(long.status).toBe(431);
      expect(long.headers.get('content-type')).toBe('application/problem+json');
      expect(await long.json()).toMatchObject({
        status: 431,
        title: 'Request Header Fields Too Large',
      });
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(running.port, '127.0.0.1', () => socket.write('NOT HTTP\r\n\r\n'));
        let answer = '';
        socket.on('data', (chunk) => {
          answer += chunk;
        });
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(raw).toContain('content-type: application/problem+json');
    } finally {
      await running.shutdown();
    }
  });
});
