// The second entry point of a declared function: an HTTP function of
// @google-cloud/functions-framework (Google Cloud buildpacks, Cloud Run functions), next to
// the default `start()` on @hono/node-server. The framework owns the server and runs Express,
// whose body parsers read every request body before the function sees it; this module hands
// the Hono app what Express kept (`req.rawBody`, byte for byte), drains on SIGTERM instead of
// the framework's immediate exit, and leaves everything else to the same app `start()` serves.
import type { Server } from 'node:http';
import type {
  Request as FrameworkRequest,
  Response as FrameworkResponse,
  HttpFunction,
} from '@google-cloud/functions-framework';
import * as functions from '@google-cloud/functions-framework';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../logger.js';

/** What the framework target serves once the function is built. */
export interface FrameworkApp {
  // biome-ignore lint/suspicious/noExplicitAny: any Hono env is served alike
  app: Hono<any>;
  lifecycle: Lifecycle;
  log: Logger;
  /** Milliseconds to wait for in-flight requests after SIGTERM (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
}

export interface FrameworkTargetOptions<Built extends FrameworkApp> {
  /** The registered HTTP function's name: the function's name, `--target=<name>`. */
  name: string;
  /** Builds the function (config, stores, schema check, services, app); started once. */
  build: () => Promise<Built>;
  /** Replace the framework's SIGTERM/SIGINT exit with draining (default true). */
  handleSignals?: boolean;
  /** Register with `functions.http(name, …)` (default true; false: only `handler`). */
  register?: boolean;
}

/** A function registered with the Functions Framework. */
export interface FrameworkTarget<Built> {
  readonly name: string;
  /** The Express handler registered as `functions.http(name, handler)`. */
  readonly handler: HttpFunction;
  /** Resolves once the function is built and ready; rejects when building failed. */
  readonly ready: Promise<Built>;
  /**
   * Fails readiness, stops accepting connections, waits for in-flight requests (bounded by
   * SHUTDOWN_TIMEOUT_MS), then runs the shutdown hooks (outbox flush, pools).
   */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Registers a built Hono app as the framework's HTTP function `name`, with draining on SIGTERM.
 * @example registerFrameworkTarget({ name: 'offer', build: async () => ({ app, lifecycle, log, shutdownTimeoutMs }) });
 */
export function registerFrameworkTarget<Built extends FrameworkApp>(
  options: FrameworkTargetOptions<Built>,
): FrameworkTarget<Built> {
  const ready = options.build().then((built) => {
    built.lifecycle.markReady();
    return built;
  });
  // A failed build is reported through `ready` (and by the entry point); no unhandled rejection.
  ready.catch(() => {});
  let listener: ReturnType<typeof getRequestListener> | undefined;
  let server: Server | undefined;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const handler: HttpFunction = async (req: FrameworkRequest, res: FrameworkResponse) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) idle?.();
    });
    // The framework gives no handle on its server; its sockets know it (for draining).
    server ??= (req.socket as { server?: Server }).server;
    let built: Built;
    try {
      built = await ready;
    } catch {
      res
        .status(503)
        .type('application/problem+json')
        .send(
          JSON.stringify({
            type: 'about:blank',
            title: 'Service Unavailable',
            status: 503,
            detail: 'The function failed to start.',
          }),
        );
      return;
    }
    listener ??= getRequestListener(built.app.fetch);
    normalizeParsedBody(req);
    await listener(req, res);
  };

  let closing: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown') => {
    closing ??= (async () => {
      const built = await ready.catch(() => undefined);
      if (!built) return;
      const { log, lifecycle } = built;
      log.info({ reason }, 'draining');
      lifecycle.startDraining();
      server?.close();
      server?.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const finished = new Promise<'finished'>((resolve) => {
        idle = () => resolve('finished');
        if (inFlight === 0) resolve('finished');
      });
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), built.shutdownTimeoutMs);
      });
      if ((await Promise.race([finished, timedOut])) === 'timeout') {
        log.warn(
          { timeoutMs: built.shutdownTimeoutMs, inFlight },
          'in-flight requests did not finish in time; closing them',
        );
        server?.closeAllConnections();
      }
      clearTimeout(timer);
      await lifecycle.runShutdownHooks((name, error) =>
        log.error({ err: error, hook: name }, 'shutdown hook failed'),
      );
      log.info('stopped');
    })();
    return closing;
  };

  if (options.register ?? true) functions.http(options.name, handler);
  if (options.handleSignals ?? true) {
    ignoreFrameworkSignalHandlers();
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        shutdown(signal).finally(() => process.exit(0));
      });
    }
  }
  return { name: options.name, handler, ready, shutdown };
}

/**
 * The target the framework's CLI was started with (`--target=<name>`, `--target <name>`, else
 * FUNCTION_TARGET, else its default `function`); undefined when the script node runs is not
 * the framework's `functions-framework` binary.
 * @example if (functionsFrameworkTarget() === 'offer') offer.functionsFramework();
 */
export function functionsFrameworkTarget(
  argv: readonly string[] = process.argv,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  if (!/functions-framework/.test(argv[1] ?? '')) return undefined;
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--target=')) return arg.slice('--target='.length);
    if (arg === '--target') return argv[i + 1];
  }
  return env.FUNCTION_TARGET ?? 'function';
}

/**
 * Express's body parsers inflate gzip/deflate bodies and keep the result in `rawBody`; the
 * headers still describe the bytes on the wire. Make them describe `rawBody`, so Hono's body
 * limit counts what the handler reads (a small gzip cannot smuggle a large body past it).
 */
function normalizeParsedBody(req: FrameworkRequest): void {
  const body = req.rawBody;
  if (!(body instanceof Buffer)) return;
  const encoding = req.headers['content-encoding'];
  const length = req.headers['content-length'];
  if (encoding === undefined && length === String(body.length)) return;
  const raw: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    const lower = name.toLowerCase();
    if (lower === 'content-encoding' || lower === 'content-length' || lower === 'transfer-encoding')
      continue;
    raw.push(name, req.rawHeaders[i + 1] ?? '');
  }
  raw.push('content-length', String(body.length));
  req.rawHeaders = raw;
  delete req.headers['content-encoding'];
  delete req.headers['transfer-encoding'];
  req.headers['content-length'] = String(body.length);
}

let frameworkSignalsIgnored = false;

/**
 * The framework's CLI registers SIGTERM/SIGINT listeners once it listens: they answer the
 * latest in-flight request with a 500 and exit at once. Remove exactly those (added from the
 * framework's own code), so the kit's draining handler is the one that runs.
 */
function ignoreFrameworkSignalHandlers(): void {
  if (frameworkSignalsIgnored) return;
  frameworkSignalsIgnored = true;
  process.on('newListener', (event, added: (...args: unknown[]) => void) => {
    if (event !== 'SIGTERM' && event !== 'SIGINT') return;
    if (!new Error().stack?.includes('@google-cloud/functions-framework')) return;
    // 'newListener' fires before the listener is added: remove it right after.
    queueMicrotask(() => process.removeListener(event, added));
  });
}
