import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/** What one load run measured. */
export interface Measurement {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests completed in the run. */
  requests: number;
  /** Connection errors, timeouts included. */
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  durationSeconds: number;
  connections: number;
  /** Paths requested round-robin, so a run is not one cached answer. */
  paths: string[];
  /** Headers sent with every request (e.g. `authorization`); none by default. */
  headers?: Record<string, string>;
  /** Requests per second over all connections (a fixed-rate run); unset: as fast as answered. */
  overallRate?: number;
  /** Changes each request before it is sent (e.g. a fresh X-Forwarded-For per request). */
  setupRequest?: (request: { headers?: Record<string, string> }) => {
    headers?: Record<string, string>;
  };
}

/**
 * Runs autocannon against `baseUrl` on loopback. Bounded by `durationSeconds`.
 * @example const m = await measure('hello', 'http://127.0.0.1:9000', { durationSeconds: 10, connections: 20, paths: ['/'] });
 */
export async function measure(
  name: string,
  baseUrl: string,
  options: LoadOptions,
): Promise<Measurement> {
  const url = new URL(baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`benchmarks only target loopback, not ${url.hostname}`);
  }
  // autocannon's histogram has 1 ms steps (a hello world's p50 reads 0); keep each response's
  // time as measured (fractional ms) and take the percentiles from those.
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections: options.connections,
        duration: options.durationSeconds,
        ...(options.overallRate !== undefined && { overallRate: options.overallRate }),
        requests: options.paths.map((path) => ({
          method: 'GET',
          path,
          ...(options.headers && { headers: options.headers }),
          ...(options.setupRequest && {
            setupRequest: options.setupRequest as autocannon.Request['setupRequest'],
          }),
        })),
      },
      (error: unknown, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
  latencies.sort((a, b) => a - b);
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

/**
 * One phase: an uncounted warm-up (when `warmupSeconds` > 0), then the measured run; `check`
 * sees both (a warm-up's errors count as failures too). Returns the measured run.
 * @example const m = await warmedPhase('help page', url, { connections: 20, paths: ['/help'] }, options, check);
 */
export async function warmedPhase(
  name: string,
  baseUrl: string,
  load: Omit<LoadOptions, 'durationSeconds'>,
  timing: { warmupSeconds: number; durationSeconds: number },
  check: (m: Measurement) => void,
): Promise<Measurement> {
  if (timing.warmupSeconds > 0) {
    check(
      await measure(`${name} (warm-up)`, baseUrl, {
        ...load,
        durationSeconds: timing.warmupSeconds,
      }),
    );
  }
  const result = await measure(name, baseUrl, { ...load, durationSeconds: timing.durationSeconds });
  check(result);
  return result;
}

/** Nearest-rank percentile of ascending `sorted`; NaN when empty. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ??
    Number.NaN
  );
}

/** A server started in a child process, so the load generator does not share its CPU. */
export interface ChildServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc; undefined
 * where there is no /proc (not Linux) or the process is gone.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are 14th and 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Restricts a running process and all its threads to `cpus` (taskset's list, e.g. `0` or
 * `0-1`); false when that is not possible here (no taskset, not permitted, one core).
 * @example setAffinity(process.pid, '0');
 */
export function setAffinity(pid: number, cpus: string): boolean {
  const result = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
  return result.status === 0;
}

/**
 * Starts `bench/src/servers/<script>.ts` with tsx; the child prints `LISTENING <port>` when ready.
 */
export async function startServer(
  script: string,
  env: Record<string, string> = {},
): Promise<ChildServer> {
  const file = fileURLToPath(new URL(`./servers/${script}.ts`, import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', file],
    { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start in 60 s`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /LISTENING (\d+)/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        // From here on the child's stdout is its log (warn and up): pass it through to stderr.
        child.stdout?.off('data', onData).pipe(process.stderr);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before listening`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Prints measurements as a table with each row's ratio to the baseline row. */
export function report(title: string, baseline: Measurement, rows: Measurement[]): string {
  const lines = [
    `## ${title}`,
    '',
    '| run | req/s | p50 ms | p99 ms | errors | non-2xx | req/s ÷ baseline | p99 ÷ baseline |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of [baseline, ...rows]) {
    lines.push(
      `| ${row.name} | ${row.requestsPerSecond.toFixed(0)} | ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} | ${row.errors} | ${row.non2xx} | ${(row.requestsPerSecond / baseline.requestsPerSecond).toFixed(3)}× | ${(row.p99Ms / Math.max(baseline.p99Ms, 0.001)).toFixed(2)}× |`,
    );
  }
  return lines.join('\n');
}

/**
 * Writes a bench's results to `bench/results/<bench>-<time>.json` and `.md` (git-ignored).
 * @example writeResults('offer', date, { baseline, rows }, markdown);
 */
export function writeResults(bench: string, date: Date, json: object, markdown: string): void {
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const time = date
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
  const stem = `${dir}${bench}-${time}`;
  writeFileSync(
    `${stem}.json`,
    `${JSON.stringify({ bench, date: date.toISOString(), ...json }, null, 2)}\n`,
  );
  writeFileSync(`${stem}.md`, `${markdown}\n`);
  console.log(`\nwrote ${stem}.json and .md`);
}

/**
 * Runs a bench's `main`, always cleans up, and exits 1 naming every failure it collected
 * (errors and non-2xx answers; never timings).
 */
export async function runBench(
  bench: string,
  main: () => Promise<void>,
  cleanup: () => Promise<void>,
  failures: string[],
): Promise<void> {
  try {
    await main();
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
    console.error(error);
  } finally {
    await cleanup();
  }
  if (failures.length > 0) {
    console.error(`${bench} bench failed:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
}
