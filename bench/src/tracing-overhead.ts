// The cost of tracing (issue 11 point 8), measured inside the offer and gateway benches: a route
// served by the built functions, each started as its container runs it
// (`node --import @shop/shared/telemetry/preload dist/main.js`, scripts/src/function-process.ts;
// instrumentation hooks only that way), once per set-up, one after the other in one run:
//   1. untraced: OTEL_SDK_DISABLED=true (the preload starts no SDK) — the baseline;
//   2. preload, no exporter: the default without OTEL_EXPORTER_OTLP_ENDPOINT (ids made and
//      passed on, nothing recorded);
//   3. traced at 10 %: OTLP/HTTP protobuf to a local sink (servers/otlp-sink.ts) with
//      OTEL_TRACES_SAMPLER_ARG=0.1, as the cluster sets it;
//   4. traced at 100 %: the same at 1.0, the price of every request recorded;
//   5. untraced again, so drift over the run shows.
// Each set-up is compared with the mean of both untraced runs. The goal: tracing at 10 % keeps
// at least 90 % of the untraced throughput — reported, never a failing exit. A set-up fails the
// bench only on incorrect behaviour: errors or non-2xx answers, nothing exported while traced,
// anything exported while not.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startFunctionProcess } from '@shop/scripts/function-process';
import type { PhaseOptions } from './cli.js';
import { type ChildServer, cpuSeconds, type Measurement, measure, startServer } from './harness.js';

/** Tracing at 10 % must keep at least this share of the untraced throughput. */
export const TRACING_GOAL_THROUGHPUT_RATIO = 0.9;

export type TracingSetup = 'untraced' | 'preload' | 'sampled' | 'full' | 'untraced again';

interface SetupSpec {
  setup: TracingSetup;
  label: string;
  /** Whether the processes export spans in this set-up. */
  exports: boolean;
  otel(sinkUrl: string): Record<string, string>;
}

const SETUPS: SetupSpec[] = [
  {
    setup: 'untraced',
    label: 'untraced (OTEL_SDK_DISABLED=true)',
    exports: false,
    otel: () => ({ OTEL_SDK_DISABLED: 'true' }),
  },
  { setup: 'preload', label: 'preload, no exporter (default)', exports: false, otel: () => ({}) },
  {
    setup: 'sampled',
    label: 'traced 10 %, OTLP',
    exports: true,
    otel: (sink) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_TRACES_SAMPLER_ARG: '0.1' }),
  },
  {
    setup: 'full',
    label: 'traced 100 %, OTLP',
    exports: true,
    otel: (sink) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_TRACES_SAMPLER_ARG: '1' }),
  },
  {
    setup: 'untraced again',
    label: 'untraced, again',
    exports: false,
    otel: () => ({ OTEL_SDK_DISABLED: 'true' }),
  },
];

/** The processes serving a route in one set-up. */
export interface ServedRoute {
  url: string;
  /** Every process under test (their CPU time is summed per request). */
  pids: number[];
  stop(): Promise<void>;
}

/** A route to measure in every set-up. */
export interface TracedRoute {
  name: string;
  paths: string[];
  /** Starts the built functions serving the route with the set-up's OTEL_* settings. */
  start(otel: Record<string, string>): Promise<ServedRoute>;
}

/** One set-up's measurement, with its ratios to the mean of the untraced runs. */
export interface TracingRow extends Measurement {
  route: string;
  setup: TracingSetup;
  cpuUsPerRequest?: number;
  throughputRatio?: number;
  p99Ratio?: number;
  cpuRatio?: number;
  /** OTLP export requests the sink received from this set-up, and their bytes. */
  exports: number;
  exportedBytes: number;
  /** Requests served by this set-up's processes, warm-up included (what the exports cover). */
  servedRequests: number;
}

export interface TracingResult {
  goalThroughputRatio: number;
  routes: { route: string; paths: number; rows: TracingRow[]; goalMet: boolean | undefined }[];
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Builds the workspaces whose `dist/` the function processes run (in dependency order), so the
 * bench measures the current sources.
 * @example buildForTracing(['offer']);
 */
export function buildForTracing(functions: readonly string[]): void {
  const workspaces = ['@shop/shared', '@shop/eventing', ...functions.map((f) => `@shop/${f}`)];
  console.log(`tracing: building ${workspaces.join(', ')}`);
  for (const workspace of workspaces) {
    execFileSync('npm', ['run', '-s', 'build', '-w', workspace], { cwd: root, stdio: 'inherit' });
  }
}

/** A free TCP port on loopback (closed again before it is used). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * This process's environment without any OTEL_* setting, storage URL or sink, over which a
 * function process gets only what its set-up and route name.
 */
export function functionEnv(extra: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('OTEL_') || ['DATABASE_URL', 'REDIS_URL', 'K_SINK'].includes(key)) continue;
    env[key] = value;
  }
  Object.assign(env, { LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: '5000' }, extra);
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * Starts `functions/<name>/dist/main.js` with the preload on a free port; its log lines go to
 * stderr. `readyPort` is where `/readyz` is (the gateway: its ops port).
 */
export async function startBuiltFunction(
  name: string,
  env: Record<string, string>,
  readyPort?: string,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = String(await freePort());
  const started = await startFunctionProcess(
    name,
    { ...env, PORT: port },
    { onLine: (line) => process.stderr.write(`${line}\n`), ...(readyPort && { readyPort }) },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    pid: started.child.pid as number,
    stop: () => started.stop(),
  };
}

async function sinkStats(sink: ChildServer): Promise<{ exports: number; bytes: number }> {
  const response = await fetch(`${sink.url}/stats`);
  return (await response.json()) as { exports: number; bytes: number };
}

/**
 * Measures every route in every set-up (warm-up, then a measured phase, each set-up on freshly
 * started processes) and records problems in `failures`; `route.start` adds its processes to
 * `servers` as the sink is.
 * @example const result = await measureTracingOverhead([route], options, failures, servers);
 */
export async function measureTracingOverhead(
  routes: readonly TracedRoute[],
  options: PhaseOptions,
  failures: string[],
  /** Every process started here is added, so the bench's cleanup stops it on Ctrl-C. */
  servers: { stop(): Promise<void> }[],
): Promise<TracingResult> {
  const check = (m: Measurement) => {
    if (m.errors > 0) failures.push(`${m.name}: ${m.errors} connection errors or timeouts`);
    if (m.non2xx > 0) failures.push(`${m.name}: ${m.non2xx} non-2xx answers`);
    if (m.requests === 0) failures.push(`${m.name}: no request completed`);
  };
  const sink = await startServer('otlp-sink');
  servers.push(sink);
  const result: TracingResult = { goalThroughputRatio: TRACING_GOAL_THROUGHPUT_RATIO, routes: [] };
  try {
    for (const route of routes) {
      const rows: TracingRow[] = [];
      for (const spec of SETUPS) {
        const name = `${route.name}: ${spec.label}`;
        console.log(
          `${name}: ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s, ${options.connections} connections`,
        );
        const before = await sinkStats(sink);
        const served = await route.start(spec.otel(sink.url));
        let m: Measurement;
        let cpu: number | undefined;
        let warmRequests = 0;
        try {
          const load = { connections: options.connections, paths: route.paths };
          if (options.warmupSeconds > 0) {
            const warm = await measure(`${name} (warm-up)`, served.url, {
              ...load,
              durationSeconds: options.warmupSeconds,
            });
            check(warm);
            warmRequests = warm.requests;
          }
          const cpuBefore = served.pids.map(cpuSeconds);
          m = await measure(name, served.url, {
            ...load,
            durationSeconds: options.durationSeconds,
          });
          const cpuAfter = served.pids.map(cpuSeconds);
          check(m);
          let total = 0;
          for (const [i, b] of cpuBefore.entries()) {
            const a = cpuAfter[i];
            if (a === undefined || b === undefined) total = Number.NaN;
            else total += a - b;
          }
          cpu = Number.isFinite(total) && m.requests > 0 ? (total / m.requests) * 1e6 : undefined;
        } finally {
          // Stopping flushes what the batch processor still holds (SIGTERM → shutdown).
          await served.stop();
        }
        const after = await sinkStats(sink);
        const exports = after.exports - before.exports;
        if (spec.exports && exports === 0) failures.push(`${name}: nothing was exported`);
        if (!spec.exports && exports > 0)
          failures.push(`${name}: ${exports} exports, expected none`);
        rows.push({
          ...m,
          route: route.name,
          setup: spec.setup,
          ...(cpu !== undefined && { cpuUsPerRequest: cpu }),
          exports,
          exportedBytes: after.bytes - before.bytes,
          servedRequests: warmRequests + m.requests,
        });
      }
      result.routes.push({ route: route.name, paths: route.paths.length, ...compare(rows) });
    }
  } finally {
    await sink.stop();
  }
  return result;
}

/** Ratios to the mean of the two untraced runs, and whether the 10 % set-up met the goal. */
function compare(rows: TracingRow[]): { rows: TracingRow[]; goalMet: boolean | undefined } {
  const untraced = rows.filter((r) => r.setup === 'untraced' || r.setup === 'untraced again');
  const mean = (values: (number | undefined)[]) => {
    const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
    return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0) / known.length;
  };
  const rps = mean(untraced.map((r) => r.requestsPerSecond));
  const p99 = mean(untraced.map((r) => r.p99Ms));
  const cpu = mean(untraced.map((r) => r.cpuUsPerRequest));
  const compared = rows.map((r) => ({
    ...r,
    ...(rps && { throughputRatio: r.requestsPerSecond / rps }),
    ...(p99 && { p99Ratio: r.p99Ms / Math.max(p99, 0.001) }),
    ...(cpu && r.cpuUsPerRequest !== undefined && { cpuRatio: r.cpuUsPerRequest / cpu }),
  }));
  const sampled = compared.find((r) => r.setup === 'sampled')?.throughputRatio;
  return {
    rows: compared,
    goalMet: sampled === undefined ? undefined : sampled >= TRACING_GOAL_THROUGHPUT_RATIO,
  };
}

/** The markdown of a tracing result: a table per route and the goal, checked. */
export function tracingTable(result: TracingResult): string {
  const ratio = (value?: number, digits = 3) =>
    value === undefined ? '—' : `${value.toFixed(digits)}×`;
  const lines = ['## tracing overhead: the built functions with the preload (same run)', ''];
  for (const route of result.routes) {
    lines.push(
      `### ${route.route} (${route.paths} path${route.paths === 1 ? '' : 's'})`,
      '',
      '| set-up | req/s | p50 ms | p99 ms | req/s ÷ untraced | p99 ÷ untraced | CPU µs/req | CPU ÷ untraced | OTLP exports | KiB exported / 1k req |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const r of route.rows) {
      const label = SETUPS.find((s) => s.setup === r.setup)?.label ?? r.setup;
      lines.push(
        `| ${[
          label,
          r.requestsPerSecond.toFixed(0),
          r.p50Ms.toFixed(2),
          r.p99Ms.toFixed(2),
          ratio(r.throughputRatio),
          ratio(r.p99Ratio, 2),
          r.cpuUsPerRequest === undefined ? '—' : r.cpuUsPerRequest.toFixed(0),
          ratio(r.cpuRatio, 2),
          String(r.exports),
          r.servedRequests > 0
            ? (r.exportedBytes / 1024 / (r.servedRequests / 1000)).toFixed(1)
            : '—',
        ].join(' | ')} |`,
      );
    }
    const sampled = route.rows.find((r) => r.setup === 'sampled');
    lines.push(
      '',
      `Goal: tracing at 10 % keeps ≥ ${TRACING_GOAL_THROUGHPUT_RATIO.toFixed(2)}× of the untraced throughput (the mean of both untraced runs): ${ratio(sampled?.throughputRatio)} — **${route.goalMet === undefined ? 'not measured' : route.goalMet ? 'met' : 'missed'}**.`,
      '',
    );
  }
  lines.push(
    'Each set-up on freshly started processes (`node --import @shop/shared/telemetry/preload dist/main.js`), nothing pinned; CPU is user + system of the processes under test over the measured phase; exports and KiB cover everything the set-up served, warm-up included, up to the flush at stop. Traced set-ups send OTLP/HTTP protobuf to a local sink that answers 200 (the collector).',
  );
  return lines.join('\n');
}
