// Benchmark of the api-gateway's overhead: the same route called directly and through the
// gateway, measured in one run (the ratio and the added latency are the result; absolute numbers
// depend on the machine):
//   1. direct: GET /api/offers on the upstream (bench/src/servers/upstream.ts, a bare
//      @hono/node-server app with a fixed ~1 KB catalog page) — the baseline;
//   2. gateway, anonymous: the same through startGateway (bench/src/servers/gateway.ts):
//      security headers, CORS, body limit, rate limit per client address, forwarding;
//   3. gateway, signed in: the same with `Authorization: Bearer <ES256 access token>`, so every
//      request is also verified (jose, keys from the upstream's JWKS) and limited per user.
// Rate limits are so high that the limiter runs but never refuses; its counters are in memory
// unless BENCH_REDIS=1 and REDIS_URL is set. The goal (issue “Identity and the front desk”):
// ≤ 1 ms added at p50 and ≥ 70 % of direct throughput — reported, never a failing exit.
//   npm run bench -- gateway [--smoke] [--duration 10] [--connections 20] [--warmup 3]
// Exits non-zero on connection errors, non-2xx answers or a failed check before load.
// Writes bench/results/gateway-<time>.json and .md.
import { randomUUID } from 'node:crypto';
import { cpus, release, totalmem } from 'node:os';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { parseFlags, phaseOptions } from './cli.js';
import {
  type ChildServer,
  type Measurement,
  measure,
  runBench,
  startServer,
  writeResults,
} from './harness.js';

const PHASES = 3;
const PATHS = ['/api/offers'];
const GOAL_ADDED_P50_MS = 1;
const GOAL_THROUGHPUT_RATIO = 0.7;

const flags = parseFlags(process.argv.slice(2));
if (flags.positional.length > 0)
  throw new Error(`unexpected arguments: ${flags.positional.join(' ')}`);
const options = phaseOptions(flags, { durationSeconds: 10, warmupSeconds: 3, connections: 20 });
const store =
  process.env.BENCH_REDIS === '1' && process.env.REDIS_URL ? 'Redis (REDIS_URL)' : 'memory';

const failures: string[] = [];

/** Warm-up (checked, not reported), then the measured run. */
async function phase(
  name: string,
  baseUrl: string,
  headers?: Record<string, string>,
): Promise<Measurement> {
  const load = { connections: options.connections, paths: PATHS, ...(headers && { headers }) };
  console.log(
    `${name}: ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s, ${options.connections} connections`,
  );
  if (options.warmupSeconds > 0) {
    check(
      await measure(`${name} (warm-up)`, baseUrl, {
        ...load,
        durationSeconds: options.warmupSeconds,
      }),
    );
  }
  const result = await measure(name, baseUrl, {
    ...load,
    durationSeconds: options.durationSeconds,
  });
  check(result);
  return result;
}

function check(m: Measurement) {
  if (m.errors > 0) failures.push(`${m.name}: ${m.errors} connection errors or timeouts`);
  if (m.non2xx > 0) failures.push(`${m.name}: ${m.non2xx} non-2xx answers`);
  if (m.requests === 0) failures.push(`${m.name}: no request completed`);
}

/** GET `url` and require `status`; returns the response (body read). */
async function expectStatus(url: string, status: number, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const body = await response.text();
  if (response.status !== status) {
    throw new Error(`GET ${url} answered ${response.status}, expected ${status}: ${body}`);
  }
  return { response, body };
}

const servers: ChildServer[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  // The gateway first: stopping the upstream under it would turn its last requests into 502s.
  cleaning ??= (async () => {
    for (const server of [...servers].reverse()) await server.stop().catch(() => {});
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}
const budgetSeconds = PHASES * (options.warmupSeconds + options.durationSeconds) + 120;
setTimeout(() => {
  console.error(`the gateway bench exceeded ${budgetSeconds} s; stopping`);
  void cleanup().finally(() => process.exit(1));
}, budgetSeconds * 1000).unref();

async function main() {
  // auth's token shape: ES256 with a kid, iss/aud as the gateway expects, 15 minutes.
  const kid = `bench-${randomUUID().slice(0, 8)}`;
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const token = await new SignJWT({ roles: ['shopper'] })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer('http://127.0.0.1:8080')
    .setAudience('shop')
    .setSubject(randomUUID())
    .setIssuedAt()
    .setExpirationTime('15m')
    .sign(privateKey);
  const bearer = { authorization: `Bearer ${token}` };

  const upstream = await startServer('upstream', { BENCH_JWK_PUBLIC: JSON.stringify(publicJwk) });
  servers.push(upstream);
  const gateway = await startServer('gateway', { BENCH_UPSTREAM_URL: upstream.url });
  servers.push(gateway);
  console.log(
    `gateway: upstream ${upstream.url}, gateway ${gateway.url}, rate-limit counters in ${store}`,
  );

  // Correctness before load: same body both ways, the limiter answers, the token is verified
  // (a tampered one is refused, so the signed-in phase really pays for verification).
  const direct = await expectStatus(`${upstream.url}${PATHS[0]}`, 200);
  const anonymous = await expectStatus(`${gateway.url}${PATHS[0]}`, 200);
  const signedIn = await expectStatus(`${gateway.url}${PATHS[0]}`, 200, bearer);
  if (anonymous.body !== direct.body || signedIn.body !== direct.body) {
    throw new Error('the gateway answered a different body than the upstream');
  }
  for (const { response } of [anonymous, signedIn]) {
    if (!response.headers.get('ratelimit-limit')) throw new Error('no RateLimit-Limit header');
  }
  await expectStatus(`${gateway.url}${PATHS[0]}`, 401, { authorization: `Bearer ${token}x` });
  const bodyBytes = Buffer.byteLength(direct.body);

  const baseline = await phase('direct (baseline)', upstream.url);
  const rows = [
    await phase('gateway, anonymous', gateway.url),
    await phase('gateway, Bearer token', gateway.url, bearer),
  ];
  await cleanup();

  const date = new Date();
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
  };
  const compared = rows.map((m) => {
    const throughputRatio = m.requestsPerSecond / baseline.requestsPerSecond;
    const addedP50Ms = m.p50Ms - baseline.p50Ms;
    return {
      ...m,
      throughputRatio,
      addedP50Ms,
      p99Ratio: m.p99Ms / Math.max(baseline.p99Ms, 0.001),
      goalAddedP50Met: addedP50Ms <= GOAL_ADDED_P50_MS,
      goalThroughputMet: throughputRatio >= GOAL_THROUGHPUT_RATIO,
    };
  });
  const met = (ok: boolean) => (ok ? 'met' : 'missed');
  const lines = [
    '## api-gateway vs the same route called directly (same run)',
    '',
    '| run | req/s | p50 ms | p99 ms | errors | non-2xx | req/s ÷ direct | p50 added ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${baseline.name} | ${baseline.requestsPerSecond.toFixed(0)} | ${baseline.p50Ms.toFixed(2)} | ${baseline.p99Ms.toFixed(2)} | ${baseline.errors} | ${baseline.non2xx} | 1.000× | — |`,
    ...compared.map(
      (m) =>
        `| ${m.name} | ${m.requestsPerSecond.toFixed(0)} | ${m.p50Ms.toFixed(2)} | ${m.p99Ms.toFixed(2)} | ${m.errors} | ${m.non2xx} | ${m.throughputRatio.toFixed(3)}× (≥ ${GOAL_THROUGHPUT_RATIO}: ${met(m.goalThroughputMet)}) | ${m.addedP50Ms.toFixed(2)} (≤ ${GOAL_ADDED_P50_MS}: ${met(m.goalAddedP50Met)}) |`,
    ),
  ];
  const markdown = [
    ...lines,
    '',
    `${date.toISOString()} · ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB · Node ${machine.node} (same machine, loopback)`,
    `GET ${PATHS[0]} (${bodyBytes} B JSON); ${options.durationSeconds} s per phase after a ${options.warmupSeconds} s warm-up, ${options.connections} connections; rate-limit counters in ${store}${options.smoke ? ' (smoke run: too short to compare)' : ''}. Goals are informational: ≤ ${GOAL_ADDED_P50_MS} ms added at p50, ≥ ${GOAL_THROUGHPUT_RATIO} of direct throughput.`,
    failures.length > 0 ? `\nFAILED: ${failures.join('; ')}` : '',
  ].join('\n');
  console.log(`\n${markdown}`);

  writeResults(
    'gateway',
    date,
    {
      machine,
      options,
      path: PATHS[0],
      bodyBytes,
      rateLimitStore: store,
      goals: { addedP50Ms: GOAL_ADDED_P50_MS, throughputRatio: GOAL_THROUGHPUT_RATIO },
      baseline,
      rows: compared,
      ok: failures.length === 0,
      failures,
    },
    markdown,
  );
}

await runBench('gateway', main, cleanup, failures);
