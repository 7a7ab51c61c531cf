import type { AddressInfo } from 'node:net';
import { type ServerType, serve as serveNode } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { answerClientError } from './http/client-error.js';
import type { Lifecycle } from './lifecycle.js';
import { flushSpans } from './telemetry/trace-context.js';

export interface ServeOptions {
  port: number;
  hostname?: string;
  log: Logger;
  lifecycle: Lifecycle;
  /** Milliseconds to wait for in-flight requests after SIGTERM before exiting anyway. */
  shutdownTimeoutMs?: number;
  /** Handle SIGTERM/SIGINT (default true; the dev runner handles signals itself). */
  handleSignals?: boolean;
}

export interface RunningServer {
  server: ServerType;
  port: number;
  /** Fails readiness, stops accepting, waits for in-flight requests, runs shutdown hooks. */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Starts a function's app on `PORT` with @hono/node-server. On SIGTERM (Knative scaling down)
 * it fails readiness, stops accepting connections, lets in-flight requests finish, then runs
 * the lifecycle's shutdown hooks (flush outbox, close pools) and exits.
 * @example await serve(app, { port: config.PORT, log, lifecycle });
 */
export async function serve(
  // biome-ignore lint/suspicious/noExplicitAny: any Hono env is served alike
  app: Pick<Hono<any>, 'fetch'>,
  options: ServeOptions,
): Promise<RunningServer> {
  const { log, lifecycle } = options;
  const server = await new Promise<ServerType>((resolve, reject) => {
    const created = serveNode(
      { fetch: app.fetch, port: options.port, hostname: options.hostname ?? '0.0.0.0' },
      () => resolve(created),
    );
    created.once('error', reject);
  });
  server.on('clientError', answerClientError);
  const port = (server.address() as AddressInfo).port;
  lifecycle.markReady();
  log.info({ port }, 'listening');

  let closing: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown') => {
    closing ??= (async () => {
      log.info({ reason }, 'draining');
      lifecycle.startDraining();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would hold close() open; busy ones close after their response.
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      const timeoutMs = options.shutdownTimeoutMs ?? 20_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      if ((await Promise.race([closed, timedOut])) === 'timeout') {
        log.warn({ timeoutMs }, 'in-flight requests did not finish in time; closing them');
        if ('closeAllConnections' in server) server.closeAllConnections();
      }
      clearTimeout(timer);
      await lifecycle.runShutdownHooks((name, error) =>
        log.error({ err: error, hook: name }, 'shutdown hook failed'),
      );
      log.info('stopped');
    })();
    return closing;
  };

  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        // Spans still buffered go out before the exit (the SDK's, when the preload started it).
        shutdown(signal)
          .then(() => flushSpans())
          .finally(() => process.exit(0));
      });
    }
  }
  return { server, port, shutdown };
}
