// Benchmark of a function's two entry points, from the same declaration, in one run: a fixed
// JSON route (GET /api/offers, 1 KB, the kit's createServiceApp middleware) served by
//   1. @hono/node-server through the kit's start() — the baseline, what the Knative images run;
//   2. @google-cloud/functions-framework through the kit's functionsFramework(), behind the
//      framework's own Express server (what buildpacks and Cloud Run functions run);
//   3. @hono/node-server again, so the drift between the first and last baseline shows.
// Each server runs in a child process (bench/src/servers/entry-point.ts) after an uncounted
// warm-up; the ratio to the baseline is the result.
//   npm run bench -- entry-points [--smoke] [--duration 10] [--connections 20] [--warmup 3]
// Exits non-zero when a phase had connection errors or non-2xx answers (correctness, not
// timing). Writes bench/results/entry-points-<time>.json and .md.
import { cpus, release, totalmem } from 'node:os';
import { parseFlags, phaseOptions } from './cli.js';
import {
  type ChildServer,
  cpuSeconds,
  type Measurement,
  measure,
  report,
  runBench,
  startServer,
  writeResults,
} from './harness.js';

const PHASES = 3;
const PATH = '/api/offers';

const flags = parseFlags(process.argv.slice(2));
if (flags.positional.length > 0)
  throw new Error(`unexpected arguments: ${flags.positional.join(' ')}`);
const options = phaseOptions(flags, { durationSeconds: 10, warmupSeconds: 3, connections: 20 });

const failures: string[] = [];
const servers: ChildServer[] = [];
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= Promise.all(servers.map((server) => server.stop().catch(() => {}))).then(() => {});
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void cleanup().finally(() => process.exit(130)));
}
const budgetSeconds = PHASES * (options.warmupSeconds + options.durationSeconds) + 120;
setTimeout(() => {
  console.error(`the entry-points bench exceeded ${budgetSeconds} s; stopping`);
  void cleanup().finally(() => process.exit(1));
}, budgetSeconds * 1000).unref();

function check(m: Measurement) {
  if (m.errors > 0) failures.push(`${m.name}: ${m.errors} connection errors or timeouts`);
  if (m.non2xx > 0) failures.push(`${m.name}: ${m.non2xx} non-2xx answers`);
  if (m.requests === 0) failures.push(`${m.name}: no request completed`);
}

/** Starts the entry point in a child, checks its answer, warms it up, measures, stops it. */
/** A measurement and the server's CPU time (user + system) per request during it. */
type Row = Measurement & { cpuMicrosecondsPerRequest: number | undefined };

async function phase(name: string, entry: string, expected: string): Promise<Row> {
  const server = await startServer('entry-point', { BENCH_ENTRY: entry });
  servers.push(server);
  try {
    const answer = await fetch(`${server.url}${PATH}`);
    const body = await answer.text();
    if (answer.status !== 200 || (expected && body !== expected)) {
      throw new Error(`${name}: GET ${PATH} answered ${answer.status} with another body`);
    }
    console.log(
      `${name}: ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s, ${options.connections} connections`,
    );
    const load = { connections: options.connections, paths: [PATH] };
    if (options.warmupSeconds > 0) {
      check(
        await measure(`${name} (warm-up)`, server.url, {
          ...load,
          durationSeconds: options.warmupSeconds,
        }),
      );
    }
    const cpuBefore = cpuSeconds(server.pid);
    const result = await measure(name, server.url, {
      ...load,
      durationSeconds: options.durationSeconds,
    });
    const cpuAfter = cpuSeconds(server.pid);
    check(result);
    const cpuMicrosecondsPerRequest =
      cpuBefore !== undefined && cpuAfter !== undefined && result.requests > 0
        ? ((cpuAfter - cpuBefore) * 1e6) / result.requests
        : undefined;
    return { ...result, cpuMicrosecondsPerRequest };
  } finally {
    await server.stop();
  }
}

async function main() {
  const first = await startServer('entry-point', { BENCH_ENTRY: 'node-server' });
  servers.push(first);
  const expected = await (await fetch(`${first.url}${PATH}`)).text();
  await first.stop();

  const baseline = await phase('node-server (start)', 'node-server', expected);
  const framework = await phase(
    'functions-framework (functionsFramework)',
    'functions-framework',
    expected,
  );
  const again = await phase('node-server again', 'node-server', expected);

  const date = new Date();
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
  };
  const mean = (baseline.requestsPerSecond + again.requestsPerSecond) / 2;
  const table = report(
    'one declaration, two entry points: functions-framework vs node-server (same run)',
    baseline,
    [framework, again],
  );
  const markdown = [
    table,
    '',
    `functions-framework ÷ mean of both node-server runs: ${(framework.requestsPerSecond / mean).toFixed(3)}× req/s`,
    '',
    `server CPU per request (user + system, /proc): ${[baseline, framework, again]
      .map(
        (row) =>
          `${row.name} ${row.cpuMicrosecondsPerRequest === undefined ? 'n/a' : `${row.cpuMicrosecondsPerRequest.toFixed(0)} µs`}`,
      )
      .join(', ')}`,
    '',
    `${date.toISOString()} · ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB · Node ${machine.node} (same machine, loopback)`,
    `GET ${PATH} (${expected.length} B JSON), ${options.durationSeconds} s per phase after a ${options.warmupSeconds} s warm-up, ${options.connections} connections${options.smoke ? ' (smoke run: too short to compare)' : ''}.`,
    failures.length > 0 ? `\nFAILED: ${failures.join('; ')}` : '',
  ].join('\n');
  console.log(`\n${markdown}`);
  writeResults(
    'entry-points',
    date,
    {
      machine,
      options,
      baseline,
      rows: [framework, again].map((m) => ({
        ...m,
        requestsPerSecondRatio: m.requestsPerSecond / baseline.requestsPerSecond,
        p99Ratio: m.p99Ms / Math.max(baseline.p99Ms, 0.001),
      })),
      frameworkToMeanNodeServer: framework.requestsPerSecond / mean,
      ok: failures.length === 0,
      failures,
    },
    markdown,
  );
}

await runBench('entry-points', main, cleanup, failures);
