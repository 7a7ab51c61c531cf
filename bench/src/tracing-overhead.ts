// The cost of tracing (issue 11 point 8), measured inside the offer and gateway benches: a route
// served by the built functions, each started as its container runs it
// (`node --import @shop/shared/telemetry/preload dist/main.js`, scripts/src/function-process.ts;
// instrumentation hooks only that way). Three set-ups are each compared with the untraced
// baseline (OTEL_SDK_DISABLED=true: the preload starts no SDK):
//   - preload, no exporter: the default without OTEL_EXPORTER_OTLP_ENDPOINT (ids made and
//     passed on, nothing recorded);
//   - traced at 10 %: OTLP/HTTP protobuf to a local sink (servers/otlp-sink.ts) with
//     OTEL_TRACES_SAMPLER_ARG=0.1, as the cluster sets it;
//   - traced at 100 %: the same at 1.0, the price of every request recorded.
// Each comparison is a pair of runs back to back (baseline and set-up, on freshly started
// processes, the order alternating from round to round), repeated for several rounds; the ratio
// reported is the median of the rounds' ratios, so a neighbour's burst or a drift over the run
// moves one pair, not the result. The goal: tracing at 10 % keeps at least 90 % of the untraced
// throughput — reported, never a failing exit. A run fails the bench only on incorrect behaviour:
// errors or non-2xx answers, nothing exported while traced, anything exported while not.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFunctionProcess } from '@shop/scripts/function-process';
import { freePort } from '@shop/shared/testing';

import type { PhaseOptions } from './cli.js';
import { type ChildServer, cpuSeconds, type Measurement, measure, startServer } from './harness.js';

/** Tracing at 10 % must keep at least this share of the untraced throughput. */
export const TRACING_GOAL_THROUGHPUT_RATIO = 0.9;

export type TracingSetup = 'untraced' | 'preload' | 'sampled' | 'full';

/** Pairs per set-up (baseline + set-up each), unless `--smoke`: one. */
export const TRACING_ROUNDS = 3;

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

/** One measured run of a set-up: round `round`, paired with the baseline run of that round. */
export interface TracingRun extends Measurement {
  route: string;
  setup: TracingSetup;
  /** Which set-up this run's pair compares (the baseline runs once per pair, too). */
  pair: TracingSetup;
  round: number;
  cpuUsPerRequest?: number;
  /** OTLP export requests the sink received from this run, and their bytes. */
  exports: number;
  exportedBytes: number;
  /** Requests served by this run's processes, warm-up included (what the exports cover). */
  servedRequests: number;
}

/** A set-up over all its rounds: medians of the runs and of the pairs' ratios to the baseline. */
export interface TracingRow {
  setup: TracingSetup;
  rounds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRequest?: number;
  /** Median over the rounds of (set-up ÷ the baseline run of its pair); the baseline: 1. */
  throughputRatio?: number;
  /** The lowest and highest of those ratios: how much the pairs agree. */
  throughputRatioRange?: [number, number];
  p99Ratio?: number;
  cpuRatio?: number;
  exports: number;
  exportedBytes: number;
  servedRequests: number;
}

export interface TracingResult {
  goalThroughputRatio: number;
  rounds: number;
  routes: {
    route: string;
    paths: number;
    rows: TracingRow[];
    runs: TracingRun[];
    goalMet: boolean | undefined;
  }[];
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
 * Measures every route: for each traced set-up, `rounds` pairs of runs (the baseline and the
 * set-up back to back, the order alternating), each run on freshly started processes with a
 * warm-up; problems go to `failures`, and `route.start` adds its processes to `servers` as the
 * sink is.
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
  const rounds = options.smoke ? 1 : TRACING_ROUNDS;
  const [baseline, ...traced] = SETUPS as [SetupSpec, ...SetupSpec[]];
  const sink = await startServer('otlp-sink');
  servers.push(sink);
  const result: TracingResult = {
    goalThroughputRatio: TRACING_GOAL_THROUGHPUT_RATIO,
    rounds,
    routes: [],
  };
  const run = async (
    route: TracedRoute,
    spec: SetupSpec,
    pair: TracingSetup,
    round: number,
  ): Promise<TracingRun> => {
    const name = `${route.name}: ${spec.label} (pair ${pair}, round ${round + 1}/${rounds})`;
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
      m = await measure(name, served.url, { ...load, durationSeconds: options.durationSeconds });
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
    if (!spec.exports && exports > 0) failures.push(`${name}: ${exports} exports, expected none`);
    return {
      ...m,
      route: route.name,
      setup: spec.setup,
      pair,
      round,
      ...(cpu !== undefined && { cpuUsPerRequest: cpu }),
      exports,
      exportedBytes: after.bytes - before.bytes,
      servedRequests: warmRequests + m.requests,
    };
  };
  try {
    for (const route of routes) {
      const runs: TracingRun[] = [];
      for (const spec of traced) {
        for (let round = 0; round < rounds; round++) {
          const order = round % 2 === 0 ? [baseline, spec] : [spec, baseline];
          for (const each of order) runs.push(await run(route, each, spec.setup, round));
        }
      }
      const rows = summarise(runs);
      const sampled = rows.find((r) => r.setup === 'sampled')?.throughputRatio;
      result.routes.push({
        route: route.name,
        paths: route.paths.length,
        rows,
        runs,
        goalMet: sampled === undefined ? undefined : sampled >= TRACING_GOAL_THROUGHPUT_RATIO,
      });
    }
  } finally {
    await sink.stop();
  }
  return result;
}

/** The median of the known values (the mean of the middle two for an even count). */
export function median(values: readonly (number | undefined)[]): number | undefined {
  const known = values
    .filter((v): v is number => v !== undefined && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (known.length === 0) return undefined;
  const middle = Math.floor(known.length / 2);
  return known.length % 2 === 1
    ? known[middle]
    : ((known[middle - 1] as number) + (known[middle] as number)) / 2;
}

/**
 * Per set-up: the medians of its runs, and the median over its pairs of set-up ÷ baseline (each
 * traced run divided by the baseline run beside it, never by a mean over the whole run).
 */
export function summarise(runs: readonly TracingRun[]): TracingRow[] {
  const rows: TracingRow[] = [];
  for (const spec of SETUPS) {
    const own = runs.filter((r) => r.setup === spec.setup);
    if (own.length === 0) continue;
    const ratios = { rps: [] as number[], p99: [] as number[], cpu: [] as number[] };
    if (spec.setup !== 'untraced') {
      for (const r of own) {
        const base = runs.find(
          (b) => b.setup === 'untraced' && b.pair === r.pair && b.round === r.round,
        );
        if (!base) continue;
        if (base.requestsPerSecond > 0)
          ratios.rps.push(r.requestsPerSecond / base.requestsPerSecond);
        ratios.p99.push(r.p99Ms / Math.max(base.p99Ms, 0.001));
        if (r.cpuUsPerRequest !== undefined && base.cpuUsPerRequest)
          ratios.cpu.push(r.cpuUsPerRequest / base.cpuUsPerRequest);
      }
    }
    const sum = (pick: (r: TracingRun) => number) => own.reduce((t, r) => t + pick(r), 0);
    const throughputRatio = spec.setup === 'untraced' ? 1 : median(ratios.rps);
    const p99Ratio = spec.setup === 'untraced' ? 1 : median(ratios.p99);
    const cpuRatio = spec.setup === 'untraced' ? 1 : median(ratios.cpu);
    const cpuUsPerRequest = median(own.map((r) => r.cpuUsPerRequest));
    rows.push({
      setup: spec.setup,
      rounds: own.length,
      requestsPerSecond: median(own.map((r) => r.requestsPerSecond)) ?? 0,
      p50Ms: median(own.map((r) => r.p50Ms)) ?? 0,
      p99Ms: median(own.map((r) => r.p99Ms)) ?? 0,
      ...(cpuUsPerRequest !== undefined && { cpuUsPerRequest }),
      ...(throughputRatio !== undefined && { throughputRatio }),
      ...(ratios.rps.length > 0 && {
        throughputRatioRange: [Math.min(...ratios.rps), Math.max(...ratios.rps)] as [
          number,
          number,
        ],
      }),
      ...(p99Ratio !== undefined && { p99Ratio }),
      ...(cpuRatio !== undefined && { cpuRatio }),
      exports: sum((r) => r.exports),
      exportedBytes: sum((r) => r.exportedBytes),
      servedRequests: sum((r) => r.servedRequests),
    });
  }
  return rows;
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
      '| set-up | runs | req/s | p50 ms | p99 ms | req/s ÷ untraced (median, range) | p99 ÷ untraced | CPU µs/req | CPU ÷ untraced | OTLP exports | KiB exported / 1k req |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const r of route.rows) {
      const label = SETUPS.find((s) => s.setup === r.setup)?.label ?? r.setup;
      const range = r.throughputRatioRange
        ? ` (${r.throughputRatioRange[0].toFixed(2)}–${r.throughputRatioRange[1].toFixed(2)})`
        : '';
      lines.push(
        `| ${[
          label,
          String(r.rounds),
          r.requestsPerSecond.toFixed(0),
          r.p50Ms.toFixed(2),
          r.p99Ms.toFixed(2),
          `${ratio(r.throughputRatio)}${range}`,
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
      `Goal: tracing at 10 % keeps ≥ ${TRACING_GOAL_THROUGHPUT_RATIO.toFixed(2)}× of the untraced throughput (median over ${result.rounds} pair${result.rounds === 1 ? '' : 's'} with the untraced run beside it): ${ratio(sampled?.throughputRatio)} — **${route.goalMet === undefined ? 'not measured' : route.goalMet ? 'met' : 'missed'}**.`,
      '',
    );
  }
  lines.push(
    'Every run on freshly started processes (`node --import @shop/shared/telemetry/preload dist/main.js`), nothing pinned; each traced set-up is paired with an untraced run right before or after it (alternating), and its ratios are medians over the pairs; CPU is user + system of the processes under test over the measured phase; exports and KiB cover everything the set-up served, warm-up included, up to the flush at stop. Traced set-ups send OTLP/HTTP protobuf to a local sink that answers 200 (the collector).',
  );
  return lines.join('\n');
}
