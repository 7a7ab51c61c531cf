import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { testDatabase } from '../testing/index.js';
import { functionsFrameworkTarget } from './functions-framework.js';
import { ECHO_MAX_BODY_BYTES, echo } from './testdata/echo-function.js';

/** A broker ingress stand-in that answers 202 and keeps the CloudEvents headers it got. */
async function startSink() {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(202).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shop/default`;
  return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

interface EntryPoint {
  url: string;
  /** SIGTERM's work: drain, run the shutdown hooks; then the server is gone. */
  shutdown(): Promise<void>;
}

type Start = (
  env: Record<string, string>,
  db: Awaited<ReturnType<typeof testDatabase>>['db'],
) => Promise<EntryPoint>;

const entryPoints: [string, Start][] = [
  [
    '@hono/node-server (start)',
    async (env, db) => {
      const running = await echo.start({
        env,
        db,
        log: silentLogger(),
        handleSignals: false,
        port: 0,
      });
      return { url: running.url, shutdown: () => running.shutdown() };
    },
  ],
  [
    '@google-cloud/functions-framework (functionsFramework)',
    async (env, db) => {
      const target = echo.functionsFramework({
        env,
        db,
        log: silentLogger(),
        handleSignals: false,
      });
      await target.ready;
      // The framework's own Express server, as its CLI builds it, for the registered `echo`.
      const server: Server = getTestServer('echo');
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return {
        url,
        shutdown: async () => {
          await target.shutdown();
          if (server.listening) await new Promise((resolve) => server.close(resolve));
        },
      };
    },
  ],
];

describe.each(entryPoints)('the same declaration through %s', (_name, startEntryPoint) => {
  it('answers the contract: JSON route, byte-exact raw bodies, 413 problem+json, health, drain with the outbox flushed', async () => {
    const { db, cleanup } = await testDatabase();
    const sink = await startSink();
    try {
      const entry = await startEntryPoint({ K_SINK: sink.url, SHUTDOWN_TIMEOUT_MS: '10000' }, db);
      const { url } = entry;

      const hello = await fetch(`${url}/hello`);
      expect(hello.status).toBe(200);
      expect(hello.headers.get('content-type')).toMatch(/^application\/json/);
      expect(hello.headers.get('x-request-id')).toBeTruthy();
      expect(await hello.json()).toEqual({ hello: 'world' });

      // A webhook's body as signed: odd spacing, escapes and non-ASCII must arrive untouched,
      // whichever parser the framework picks for the content type.
      const signed = Buffer.from('{ "id":"evt_1",\n  "amount" : 1e3, "name":"Zoë \\u00e9" }\n');
      for (const type of ['application/json', 'text/plain; charset=utf-8']) {
        const answer = await fetch(`${url}/echo`, {
          method: 'POST',
          headers: { 'content-type': type },
          body: signed,
        });
        expect(answer.status).toBe(200);
        expect(Buffer.from(await answer.arrayBuffer()).equals(signed)).toBe(true);
      }
      const binary = randomBytes(ECHO_MAX_BODY_BYTES);
      const echoed = await fetch(`${url}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: binary,
      });
      expect(Buffer.from(await echoed.arrayBuffer()).equals(binary)).toBe(true);

      // Over the limit: declared, and chunked (no content-length).
      const tooLarge = [
        { headers: {}, body: randomBytes(ECHO_MAX_BODY_BYTES + 1) },
        {
          headers: {},
          body: new ReadableStream({
            start(controller) {
              controller.enqueue(randomBytes(ECHO_MAX_BODY_BYTES));
              controller.enqueue(randomBytes(10));
              controller.close();
            },
          }),
        },
      ];
      for (const { headers, body } of tooLarge) {
        const refused = await fetch(`${url}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', ...headers },
          body,
          duplex: 'half',
        } as RequestInit);
        expect(refused.status).toBe(413);
        expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(await refused.json()).toMatchObject({ status: 413 });
      }

      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      expect((await fetch(`${url}/nowhere`)).status).toBe(404);

      // A request in flight when shutdown starts still gets its answer, and its event is
      // published before the shutdown hooks close the database.
      const inFlight = fetch(`${url}/things/t-1?ms=300`, { method: 'POST' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stopped = entry.shutdown();
      const answer = await inFlight;
      expect(answer.status).toBe(201);
      await stopped;
      expect(sink.received.map((headers) => headers['ce-subject'])).toEqual(['t-1']);
      await expect(fetch(`${url}/hello`)).rejects.toThrow();
    } finally {
      await sink.close();
      await cleanup();
    }
  });
});

describe('the functions-framework target', () => {
  it('counts an inflated gzip body against the limit, and leaves malformed JSON to Express (documented)', async () => {
    const { db, cleanup } = await testDatabase();
    const target = echo.functionsFramework({
      env: {},
      db,
      log: silentLogger(),
      handleSignals: false,
    });
    await target.ready;
    const server: Server = getTestServer('echo');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const post = (body: Buffer) =>
        fetch(`${url}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' },
          body: gzipSync(body),
        });
      const small = Buffer.alloc(100, 'a');
      const inflated = await post(small);
      expect(inflated.status).toBe(200);
      expect(Buffer.from(await inflated.arrayBuffer()).equals(small)).toBe(true);
      expect((await post(Buffer.alloc(ECHO_MAX_BODY_BYTES * 4, 'a'))).status).toBe(413);
      // The documented difference: Express's JSON parser refuses what is not an object or
      // array before the handler runs (under start() the route gets the bytes).
      for (const body of ['not json', '"abc"']) {
        const refused = await fetch(`${url}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect(refused.status).toBe(400);
        expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
      }
    } finally {
      await target.shutdown();
      await new Promise((resolve) => server.close(resolve));
      await cleanup();
    }
  });

  it('reads the target as the CLI does, only when the CLI is the script node runs', () => {
    const bin = '/app/node_modules/@google-cloud/functions-framework/build/src/main.js';
    expect(functionsFrameworkTarget(['node', bin, '--target=offer'], {})).toBe('offer');
    expect(functionsFrameworkTarget(['node', bin, '--target', 'cart'], {})).toBe('cart');
    expect(functionsFrameworkTarget(['node', bin], { FUNCTION_TARGET: 'auth' })).toBe('auth');
    expect(functionsFrameworkTarget(['node', bin], {})).toBe('function');
    expect(functionsFrameworkTarget(['node', '/app/dist/main.js'], { FUNCTION_TARGET: 'x' })).toBe(
      undefined,
    );
  });

  it('on SIGTERM finishes the in-flight request, flushes the outbox and exits 0 (not the framework’s 500 and exit)', async () => {
    const sink = await startSink();
    const port = await portOutsideEphemeralRange();
    const require = createRequire(import.meta.url);
    // The CLI's script, beside the package's main (build/src/index.js): what buildpacks run.
    const frameworkMain = join(
      dirname(require.resolve('@google-cloud/functions-framework')),
      'main.js',
    );
    const fixture = fileURLToPath(new URL('./testdata/echo-function.ts', import.meta.url));
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        frameworkMain,
        '--target=echo',
        `--source=${fixture}`,
        `--port=${port}`,
      ],
      {
        env: { ...embeddedEnv(), K_SINK: sink.url, LOG_LEVEL: 'warn', NODE_ENV: 'test' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(
        async () => (await fetch(`${url}/readyz`)).status === 200,
        () => output,
      );
      const inFlight = fetch(`${url}/things/t-2?ms=1500`, { method: 'POST' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      child.kill('SIGTERM');
      const answer = await inFlight;
      expect(answer.status).toBe(201);
      expect(await answer.json()).toEqual({ id: 't-2' });
      const [code] = await exited;
      expect(code, output).toBe(0);
      expect(sink.received.map((headers) => headers['ce-subject'])).toEqual(['t-2']);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await sink.close();
    }
  });
});

/**
 * The environment without the real servers an integration run names: the child runs on the
 * embedded defaults (PGlite, memory), as the in-process contract does, instead of finding the
 * shared integration database unmigrated.
 */
function embeddedEnv(): Record<string, string | undefined> {
  const { DATABASE_URL, REDIS_URL, KAFKA_BROKERS, PGLITE_DATA_DIR, ...rest } = process.env;
  return rest;
}

/**
 * A free port below Linux's ephemeral range (32768–60999). The framework's CLI cannot listen on
 * port 0 and report it, so the child gets a port picked here; one from the ephemeral range could
 * be one another suite's server has just released and is about to listen on again.
 */
async function portOutsideEphemeralRange(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
}

async function waitFor(check: () => Promise<boolean>, explain: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the functions-framework process did not become ready:\n${explain()}`);
}
