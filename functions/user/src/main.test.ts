import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newId, silentLogger } from '@shop/shared';
import { identityHeaders, testDatabase, testVerifyToken } from '@shop/shared/testing';
import { describe, expect, it } from 'vitest';
import { user as userFunction } from './main.js';

/** A broker ingress stand-in that records what it receives and answers 202. */
async function startSink(): Promise<{
  url: string;
  received: { headers: IncomingHttpHeaders; body: string }[];
  close: () => Promise<void>;
}> {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startUser', () => {
  it('migrates, serves, and publishes shop.user.erased to K_SINK after an erasure', async () => {
    const { db, cleanup } = await testDatabase();
    const sink = await startSink();
    try {
      const user = await userFunction.start({
        env: { K_SINK: sink.url, RUN_MIGRATIONS: 'true' },
        db,
        port: 0,
        log: silentLogger(),
        handleSignals: false,
        verifyToken: testVerifyToken,
      });
      const base = `http://127.0.0.1:${user.port}`;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const userId = newId();
      const res = await fetch(`${base}/api/users/me`, {
        method: 'DELETE',
        headers: identityHeaders({ userId, roles: ['shopper'] }),
      });
      expect(res.status).toBe(204);
      await until(() => sink.received.length > 0);
      const [event] = sink.received;
      expect(event?.headers['ce-type']).toBe('shop.user.erased');
      expect(event?.headers['ce-source']).toBe('/shop/user');
      expect(JSON.parse(event?.body ?? '{}')).toMatchObject({ userId, requestedBy: userId });
      await user.shutdown();
      await db.ping();
    } finally {
      await sink.close();
      await cleanup();
    }
  });

  it('defaults to an embedded PGlite on port 8082 when DATABASE_URL is unset', async () => {
    const user = await userFunction.start({
      env: {},
      port: 0,
      log: silentLogger(),
      handleSignals: false,
    });
    try {
      expect(user.db.kind).toBe('pglite');
      expect(user.config.PORT).toBe(8082);
      expect(user.relay).toBeUndefined();
      const doc = await fetch(`http://127.0.0.1:${user.port}/openapi.json`);
      const paths = Object.keys(((await doc.json()) as { paths: object }).paths);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/api/users/me',
          '/api/users/me/addresses/{id}',
          '/api/admin/users',
        ]),
      );
    } finally {
      await user.shutdown();
    }
  });

  it('refuses an invalid environment naming the variable', async () => {
    await expect(
      userFunction.start({ env: { PORT: 'eighty' }, log: silentLogger() }),
    ).rejects.toThrow(/PORT/);
  });
});
