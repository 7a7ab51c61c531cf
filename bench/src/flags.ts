// Benchmark of flag evaluation (issue 13 point 8): 50 flags in flagd's format (fractional,
// ends_with, sem_ver, in, plain) evaluated for one context, over OFREP on the feature-flag
// function as it runs (its in-memory snapshot behind the kit's app, node-server, loopback) and
// the same evaluation in process (the same snapshot called directly), measured in one run:
//   1. bulk: POST /ofrep/v1/evaluate/flags (50 flags) vs snapshot.evaluateAll(context);
//   2. single: POST /ofrep/v1/evaluate/flags/{key} vs snapshot.evaluate(key, context).
// The function runs on the embedded database (PGlite) in this process: evaluation never reads
// it. The ratios are the result; timings never fail the run, errors and non-2xx answers do.
//   npm run bench -- flags [--smoke] [--duration 10] [--connections 20] [--warmup 3]
// Writes bench/results/flags-<time>.json and .md.
import { cpus, release, totalmem } from 'node:os';
import { createFlagSnapshot, featureFlag } from '@shop/feature-flag';
import { silentLogger } from '@shop/shared';
import { identityHeaders, testVerifyToken } from '@shop/shared/testing';
import autocannon from 'autocannon';
import { parseFlags, phaseOptions } from './cli.js';
import { type Measurement, report, runBench, writeResults } from './harness.js';

const FLAGS = 50;
const flags = parseFlags(process.argv.slice(2));
if (flags.positional.length > 0)
  throw new Error(`unexpected arguments: ${flags.positional.join(' ')}`);
const options = phaseOptions(flags, { durationSeconds: 10, warmupSeconds: 3, connections: 20 });
const failures: string[] = [];

/** 50 flags of every kind flagd evaluates, a fifth of each shape. */
function flagSet() {
  const entries: [string, Record<string, unknown>][] = [];
  for (let i = 0; i < FLAGS; i += 1) {
    const shape = i % 5;
    const key = `bench-flag-${i}`;
    if (shape === 0) {
      entries.push([
        key,
        {
          state: 'ENABLED',
          variants: { on: true, off: false },
          defaultVariant: 'off',
          targeting: {
            fractional: [
              ['on', 10],
              ['off', 90],
            ],
          },
        },
      ]);
    } else if (shape === 1) {
      entries.push([
        key,
        {
          state: 'ENABLED',
          variants: { a: 'A', b: 'B' },
          defaultVariant: 'a',
          targeting: { if: [{ ends_with: [{ var: 'email' }, '@shop.test'] }, 'b', null] },
        },
      ]);
    } else if (shape === 2) {
      entries.push([
        key,
        {
          state: 'ENABLED',
          variants: { old: 1, new: 2 },
          defaultVariant: 'old',
          targeting: { if: [{ sem_ver: [{ var: 'appVersion' }, '>=', '2.1.0'] }, 'new', 'old'] },
        },
      ]);
    } else if (shape === 3) {
      entries.push([
        key,
        {
          state: 'ENABLED',
          variants: { small: { rows: 2 }, large: { rows: 6 } },
          defaultVariant: 'small',
          targeting: { if: [{ in: [{ var: 'country' }, ['DE', 'FR', 'NL']] }, 'large', null] },
        },
      ]);
    } else {
      entries.push([
        key,
        { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
      ]);
    }
  }
  return { $schema: 'https://flagd.dev/schema/v0/flags.json', flags: Object.fromEntries(entries) };
}

const context = {
  targetingKey: 'user-4711',
  email: 'ann@shop.test',
  appVersion: '2.3.0',
  country: 'DE',
};

/** Calls `work` for the duration, one call at a time, timing each. */
function inProcess(name: string, seconds: number, work: () => unknown): Measurement {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let started = performance.now();
  const first = started;
  while (started < end) {
    work();
    const now = performance.now();
    latencies.push(now - started);
    started = now;
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    name,
    requestsPerSecond: latencies.length / ((started - first) / 1000),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    requests: latencies.length,
    errors: 0,
    non2xx: 0,
  };
}

/** autocannon POSTs of one body to one path on loopback. */
async function overHttp(
  name: string,
  url: string,
  path: string,
  seconds: number,
): Promise<Measurement> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            path,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ context }),
          },
        ],
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) =>
      latencies.push(responseTime),
    );
  });
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const m: Measurement = {
    name,
    requestsPerSecond: result.requests.total / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
  if (m.errors > 0) failures.push(`${name}: ${m.errors} connection errors or timeouts`);
  if (m.non2xx > 0) failures.push(`${name}: ${m.non2xx} answers not 2xx`);
  if (m.requests === 0) failures.push(`${name}: no request completed`);
  return m;
}

let running: Awaited<ReturnType<typeof featureFlag.start>> | undefined;
const cleanup = async () => {
  await running?.shutdown();
};

async function main() {
  running = await featureFlag.start({
    env: { SEED_DEMO_DATA: 'false', OFREP_MAX_RPS: '0', LOG_LEVEL: 'warn' },
    port: 0,
    log: silentLogger(),
    handleSignals: false,
    verifyToken: testVerifyToken,
  });
  const document = flagSet();
  const imported = await fetch(`${running.url}/api/admin/flags/import`, {
    method: 'PUT',
    headers: {
      ...identityHeaders({ userId: 'bench', roles: ['staff'] }),
      'content-type': 'application/json',
    },
    body: JSON.stringify(document),
  });
  if (imported.status !== 200)
    throw new Error(`import answered ${imported.status}: ${await imported.text()}`);
  const bulk = (await (
    await fetch(`${running.url}/ofrep/v1/evaluate/flags`, {
      method: 'POST',
      body: JSON.stringify({ context }),
    })
  ).json()) as { flags: unknown[] };
  if (bulk.flags.length !== FLAGS)
    throw new Error(`bulk evaluation gave ${bulk.flags.length} flags, not ${FLAGS}`);
  const snapshot = createFlagSnapshot(document as never, 1);
  const single = 'bench-flag-0';

  const phases = async (seconds: number) => ({
    bulkInProcess: inProcess(`in process: evaluateAll (${FLAGS} flags)`, seconds, () =>
      JSON.stringify(snapshot.evaluateAll(context)),
    ),
    bulkHttp: await overHttp(
      `OFREP bulk (${FLAGS} flags)`,
      running?.url as string,
      '/ofrep/v1/evaluate/flags',
      seconds,
    ),
    singleInProcess: inProcess('in process: evaluate one flag', seconds, () =>
      JSON.stringify(snapshot.evaluate(single, context)),
    ),
    singleHttp: await overHttp(
      'OFREP single flag',
      running?.url as string,
      `/ofrep/v1/evaluate/flags/${single}`,
      seconds,
    ),
  });
  if (options.warmupSeconds > 0) await phases(options.warmupSeconds);
  failures.length = 0;
  const m = await phases(options.durationSeconds);
  const date = new Date();
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
  };
  const markdown = [
    report(
      `OFREP bulk evaluation of ${FLAGS} flags vs the same evaluation in process (same run)`,
      m.bulkInProcess,
      [m.bulkHttp],
    ),
    '',
    report(
      'OFREP single-flag evaluation vs the same evaluation in process (same run)',
      m.singleInProcess,
      [m.singleHttp],
    ),
    '',
    `In process: ${m.bulkInProcess.p50Ms.toFixed(4)} ms p50 for ${FLAGS} flags (the issue asks for sub-millisecond). OFREP runs through the kit's app on node-server in this process; autocannon on loopback with ${options.connections} connections.`,
    `${date.toISOString()} · ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB · Node ${machine.node} · ${options.durationSeconds} s per phase after a ${options.warmupSeconds} s warm-up${options.smoke ? ' (smoke run: too short to compare)' : ''}.`,
    failures.length > 0 ? `\nFAILED: ${failures.join('; ')}` : '',
  ].join('\n');
  console.log(`\n${markdown}`);
  writeResults(
    'flags',
    date,
    { machine, options, ...m, ok: failures.length === 0, failures },
    markdown,
  );
}

await runBench('flags', main, cleanup, failures);
