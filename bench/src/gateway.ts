// Benchmark of the api-gateway's overhead: a route called directly and the same route through
// the gateway, measured in one run (the ratios and the added latency are the result; absolute
// numbers depend on the machine). Two routes:
//   - product page: GET /api/offers/{slug} on the offer function (offer.start on PostgreSQL, a
//     bench_… database with 5,049 products, bench/src/servers/offer.ts) — what a shopper's
//     browser asks most; needs DATABASE_URL, else skipped with a message;
//   - fixed answer: GET /api/offers on a bare @hono/node-server app with a fixed ~1 KB body
//     (bench/src/servers/upstream.ts) — no work upstream at all, so the gateway's own cost shows
//     undiluted (its floor).
// Each route in three set-ups:
//   1. own core: the gateway pinned to CPU 1, everything else (upstream, its PostgreSQL
//      backends, the load generator) to CPU 0, as in production, where the gateway runs in pods
//      of its own — does the gateway cut what the route can serve, and what does it add?
//      Direct, anonymous, signed in (Bearer token: ES256 verification, per-user limit);
//   2. one at a time: the same pinning with a single connection, so latency is not queueing:
//      the p50 added there is what the gateway adds to each request;
//   3. shared cores: nothing pinned, gateway and upstream compete for the same cores, so the
//      ratio is the gateway's CPU cost against the route's.
// Pinning needs taskset, two cores and the right to pin PostgreSQL's backends (root); without it
// set-ups 1 and 2 are skipped with a message. The gateway's CPU time per request (user + system,
// /proc) is reported for every phase. Rate limits are so high that the limiter counts every
// request but never refuses; counters in memory unless BENCH_REDIS=1 and REDIS_URL is set.
// The goal (issue “Identity and the front desk”): ≤ 1 ms added at p50 and ≥ 70 % of direct
// throughput — reported, never a failing exit.
// Then the cost of tracing (tracing-overhead.ts): each route through the built gateway (and, for
// the product page, the built offer behind it) started with the tracing preload: preload
// without exporter, traced at 10 % and 100 % to a local OTLP sink, each in pairs with an untraced
// run beside it, reported as the median of the pairs' ratios; goal: tracing at 10 % keeps ≥ 90 % of the untraced throughput — reported, never failing.
//   npm run bench -- gateway [--smoke] [--duration 10] [--connections 20] [--warmup 3]
// Exits non-zero on connection errors, non-2xx answers or a failed check before load.
// Writes bench/results/gateway-<time>.json and .md.
import { randomUUID } from 'node:crypto';
import { cpus, release, totalmem } from 'node:os';
import { freePort } from '@shop/shared/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { type BenchDatabase, benchDatabase, listSlugs } from './bench-database.js';
import { parseFlags, phaseOptions } from './cli.js';
import {
  type ChildServer,
  cpuSeconds,
  type Measurement,
  measure,
  runBench,
  setAffinity,
  startServer,
  writeResults,
} from './harness.js';
import {
  buildForTracing,
  functionEnv,
  measureTracingOverhead,
  startBuiltFunction,
  TRACING_ROUNDS,
  type TracedRoute,
  tracingTable,
} from './tracing-overhead.js';

const GOAL_ADDED_P50_MS = 1;
const GOAL_THROUGHPUT_RATIO = 0.7;
const EXTRA_PRODUCTS = 5000;

const flags = parseFlags(process.argv.slice(2));
if (flags.positional.length > 0)
  throw new Error(`unexpected arguments: ${flags.positional.join(' ')}`);
const options = phaseOptions(flags, { durationSeconds: 10, warmupSeconds: 3, connections: 20 });
const store =
  process.env.BENCH_REDIS === '1' && process.env.REDIS_URL ? 'Redis (REDIS_URL)' : 'memory';
const adminUrl = process.env.DATABASE_URL;
const coreCount = cpus().length;
const ALL_CORES = `0-${Math.max(0, coreCount - 1)}`;

const failures: string[] = [];
const servers: { stop(): Promise<void> }[] = [];
let database: BenchDatabase | undefined;

type Setup = 'own core' | 'one at a time' | 'shared cores';

/** One measured phase with the CPU the gateway and the upstream spent on it. */
interface Row extends Measurement {
  setup: Setup;
  via: 'direct' | 'gateway';
  gatewayCpuUsPerRequest?: number;
  upstreamCpuUsPerRequest?: number;
  throughputRatio?: number;
  addedP50Ms?: number;
  goalThroughputMet?: boolean;
  goalAddedP50Met?: boolean;
}

interface Target {
  name: string;
  upstream: ChildServer;
  paths: string[];
  /** PostgreSQL backends serving the upstream (pinned with it). */
  backends(): Promise<number[]>;
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

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  // Gateways first (started last): stopping an upstream under one would turn requests into 502s.
  cleaning ??= (async () => {
    for (const server of [...servers].reverse()) await server.stop().catch(() => {});
    await database?.drop();
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}
// Per route: two warm-ups and ten phases, three tracing set-ups each paired with a baseline run
// per round; plus building, starting servers
// and preparing the catalog.
const budgetSeconds =
  2 * (2 * options.warmupSeconds + 10 * options.durationSeconds) +
  2 *
    3 *
    2 *
    (options.smoke ? 1 : TRACING_ROUNDS) *
    (options.warmupSeconds + options.durationSeconds) +
  360;
setTimeout(() => {
  console.error(`the gateway bench exceeded ${budgetSeconds} s; stopping`);
  void cleanup().finally(() => process.exit(1));
}, budgetSeconds * 1000).unref();

/** Pins the gateway to CPU 1 and the rest to CPU 0 (or frees everything); false if refused. */
async function pin(target: Target, gateway: ChildServer, pinned: boolean): Promise<boolean> {
  const rest = [process.pid, target.upstream.pid, ...(await target.backends())];
  let ok = setAffinity(gateway.pid, pinned ? '1' : ALL_CORES);
  for (const pid of rest) ok = setAffinity(pid, pinned ? '0' : ALL_CORES) && ok;
  return ok;
}

async function measureRow(
  target: Target,
  gateway: ChildServer,
  setup: Setup,
  via: Row['via'],
  load: { headers?: Record<string, string>; connections?: number; label?: string },
): Promise<Row> {
  const baseUrl = via === 'direct' ? target.upstream.url : gateway.url;
  const name = `${target.name}, ${setup}: ${via}${load.label ? `, ${load.label}` : ''}`;
  const before = [cpuSeconds(gateway.pid), cpuSeconds(target.upstream.pid)];
  const m = await measure(name, baseUrl, {
    connections: load.connections ?? options.connections,
    durationSeconds: options.durationSeconds,
    paths: target.paths,
    ...(load.headers && { headers: load.headers }),
  });
  const after = [cpuSeconds(gateway.pid), cpuSeconds(target.upstream.pid)];
  check(m);
  const perRequest = (i: number) => {
    const [b, a] = [before[i], after[i]];
    return a === undefined || b === undefined || m.requests === 0
      ? undefined
      : ((a - b) * 1e6) / m.requests;
  };
  const gatewayCpu = perRequest(0);
  const upstreamCpu = perRequest(1);
  console.log(
    `  ${name}: ${m.requestsPerSecond.toFixed(0)} req/s, p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms`,
  );
  return {
    ...m,
    setup,
    via,
    ...(via === 'gateway' && gatewayCpu !== undefined && { gatewayCpuUsPerRequest: gatewayCpu }),
    ...(upstreamCpu !== undefined && { upstreamCpuUsPerRequest: upstreamCpu }),
  };
}

/** Each gateway row against the mean of the direct rows of its set-up. */
function compare(rows: Row[]): Row[] {
  return rows.map((row) => {
    const directs = rows.filter((r) => r.setup === row.setup && r.via === 'direct');
    if (row.via === 'direct' || directs.length === 0) return row;
    const mean = (pick: (r: Row) => number) =>
      directs.reduce((sum, r) => sum + pick(r), 0) / directs.length;
    const throughputRatio = row.requestsPerSecond / mean((r) => r.requestsPerSecond);
    const addedP50Ms = row.p50Ms - mean((r) => r.p50Ms);
    return {
      ...row,
      throughputRatio,
      addedP50Ms,
      goalAddedP50Met: addedP50Ms <= GOAL_ADDED_P50_MS,
      // One at a time, throughput is 1 / latency: only latency is compared there.
      ...(row.setup !== 'one at a time' && {
        goalThroughputMet: throughputRatio >= GOAL_THROUGHPUT_RATIO,
      }),
    };
  });
}

async function benchTarget(
  target: Target,
  jwksUrl: string,
  bearer: Record<string, string>,
  token: string,
): Promise<{ rows: Row[]; pinned: boolean; bodyBytes: number }> {
  const gateway = await startServer('gateway', {
    BENCH_UPSTREAM_URL: target.upstream.url,
    BENCH_JWKS_URL: jwksUrl,
  });
  servers.push(gateway);
  console.log(
    `\n${target.name}: upstream ${target.upstream.url}, gateway ${gateway.url}, ${target.paths.length} paths`,
  );
  // Correctness before load: same body both ways, the limiter answers, the token is verified
  // (a tampered one is refused, so the signed-in phase really pays for verification).
  const path = target.paths[0] as string;
  const direct = await expectStatus(`${target.upstream.url}${path}`, 200);
  const anonymous = await expectStatus(`${gateway.url}${path}`, 200);
  const signedIn = await expectStatus(`${gateway.url}${path}`, 200, bearer);
  if (anonymous.body !== direct.body || signedIn.body !== direct.body) {
    throw new Error(`${target.name}: the gateway answered a different body than the upstream`);
  }
  for (const { response } of [anonymous, signedIn]) {
    if (!response.headers.get('ratelimit-limit')) throw new Error('no RateLimit-Limit header');
  }
  await expectStatus(`${gateway.url}${path}`, 401, { authorization: `Bearer ${token}x` });

  for (const [label, url] of [
    ['direct', target.upstream.url],
    ['gateway', gateway.url],
  ] as const) {
    if (options.warmupSeconds === 0) break;
    check(
      await measure(`${target.name} ${label} (warm-up)`, url, {
        connections: options.connections,
        durationSeconds: options.warmupSeconds,
        paths: target.paths,
      }),
    );
  }

  const rows: Row[] = [];
  const pinned = coreCount >= 2 && (await pin(target, gateway, true));
  if (pinned) {
    rows.push(await measureRow(target, gateway, 'own core', 'direct', {}));
    rows.push(await measureRow(target, gateway, 'own core', 'gateway', { label: 'anonymous' }));
    rows.push(
      await measureRow(target, gateway, 'own core', 'gateway', {
        headers: bearer,
        label: 'Bearer token',
      }),
    );
    // Direct again: the upstream keeps warming up, so the gateway rows are compared with the
    // mean of a direct run before and after them.
    rows.push(await measureRow(target, gateway, 'own core', 'direct', { label: 'again' }));
    rows.push(await measureRow(target, gateway, 'one at a time', 'direct', { connections: 1 }));
    rows.push(
      await measureRow(target, gateway, 'one at a time', 'gateway', {
        connections: 1,
        label: 'anonymous',
      }),
    );
    rows.push(
      await measureRow(target, gateway, 'one at a time', 'direct', {
        connections: 1,
        label: 'again',
      }),
    );
  } else {
    console.log(
      `  ${target.name}: cannot pin processes to cores here (needs taskset, 2 cores, root for PostgreSQL's backends): own-core and one-at-a-time phases skipped`,
    );
  }
  await pin(target, gateway, false);
  rows.push(await measureRow(target, gateway, 'shared cores', 'direct', {}));
  rows.push(await measureRow(target, gateway, 'shared cores', 'gateway', { label: 'anonymous' }));
  rows.push(await measureRow(target, gateway, 'shared cores', 'direct', { label: 'again' }));
  await gateway.stop();
  return { rows: compare(rows), pinned, bodyBytes: Buffer.byteLength(direct.body) };
}

function table(title: string, rows: Row[]): string {
  const met = (ok?: boolean) => (ok === undefined ? '' : ok ? ' (met)' : ' (missed)');
  const us = (value?: number) => (value === undefined ? '—' : value.toFixed(0));
  return [
    `### ${title}`,
    '',
    '| set-up | run | req/s | p50 ms | p99 ms | req/s ÷ direct | p50 added ms | gateway CPU µs/req | upstream CPU µs/req |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows
      .map((r) =>
        [
          r.setup,
          r.name.split(': ').slice(1).join(': '),
          r.requestsPerSecond.toFixed(0),
          r.p50Ms.toFixed(2),
          r.p99Ms.toFixed(2),
          r.throughputRatio === undefined
            ? '1.000×'
            : `${r.throughputRatio.toFixed(3)}×${met(r.goalThroughputMet)}`,
          r.addedP50Ms === undefined ? '—' : `${r.addedP50Ms.toFixed(2)}${met(r.goalAddedP50Met)}`,
          us(r.gatewayCpuUsPerRequest),
          us(r.upstreamCpuUsPerRequest),
        ].join(' | '),
      )
      .map((line) => `| ${line} |`),
  ].join('\n');
}

async function main() {
  // auth's token shape: ES256 with a kid, iss/aud as the gateway expects, 15 minutes.
  const kid = `bench-${randomUUID().slice(0, 8)}`;
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  // With a session id (`sid`), checked against the upstream's (empty) revocation feed.
  const token = await new SignJWT({ roles: ['shopper'], sid: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer('http://127.0.0.1:8080')
    .setAudience('shop')
    .setSubject(randomUUID())
    .setIssuedAt()
    .setExpirationTime('15m')
    .sign(privateKey);
  const bearer = { authorization: `Bearer ${token}` };
  // The tracing set-ups run the built gateway and offer (dist/), as their containers do.
  buildForTracing(['offer', 'api-gateway']);

  const fixed = await startServer('upstream', { BENCH_JWK_PUBLIC: JSON.stringify(publicJwk) });
  servers.push(fixed);
  const jwksUrl = `${fixed.url}/.well-known/jwks.json`;
  const targets: Target[] = [];
  let postgres: string | undefined;
  if (adminUrl) {
    database = benchDatabase(adminUrl);
    postgres = await database.postgresVersion();
    await database.create();
    console.log(
      `product page: preparing ${database.name} (migrations, demo seed, ${EXTRA_PRODUCTS} generated products)`,
    );
    const offer = await startServer('offer', {
      DATABASE_URL: database.url,
      BENCH_EXTRA_PRODUCTS: String(EXTRA_PRODUCTS),
      SHUTDOWN_TIMEOUT_MS: '5000',
      // offer verifies the forwarded Bearer token itself (the kit's verifier), as the gateway.
      AUTH_URL: fixed.url,
    });
    servers.push(offer);
    const slugs = await listSlugs(offer.url);
    const db = database;
    targets.push({
      name: 'product page',
      upstream: offer,
      paths: slugs.map((slug) => `/api/offers/${encodeURIComponent(slug)}`),
      backends: () => db.backendPids(),
    });
  } else {
    console.log(
      'product page: skipped — DATABASE_URL is not set (npm run infra -- up; eval "$(npm run -s infra -- env)")',
    );
  }
  targets.push({
    name: 'fixed answer',
    upstream: fixed,
    paths: ['/api/offers'],
    backends: async () => [],
  });

  const results: {
    target: string;
    paths: number;
    bodyBytes: number;
    pinned: boolean;
    rows: Row[];
  }[] = [];
  for (const target of targets) {
    const { rows, pinned, bodyBytes } = await benchTarget(target, jwksUrl, bearer, token);
    results.push({ target: target.name, paths: target.paths.length, bodyBytes, pinned, rows });
  }

  // The product page's source-run offer is done; the built one is started per set-up.
  for (const target of targets) if (target.upstream !== fixed) await target.upstream.stop();
  const redis = process.env.BENCH_REDIS === '1' ? process.env.REDIS_URL : undefined;
  const startGateway = async (upstream: string, otel: Record<string, string>) => {
    const opsPort = String(await freePort());
    const gateway = await startBuiltFunction(
      'api-gateway',
      functionEnv({
        OFFER_URL: upstream,
        AUTH_JWKS_URL: jwksUrl,
        AUTH_REVOCATIONS_URL: `${fixed.url}/internal/sessions/revocations`,
        AUTH_ISSUER: 'http://127.0.0.1:8080',
        AUTH_AUDIENCE: 'shop',
        RATE_LIMIT_ANONYMOUS: '100000000',
        RATE_LIMIT_USER: '100000000',
        RATE_LIMIT_WINDOW_SECONDS: '60',
        OPS_PORT: opsPort,
        REDIS_URL: redis,
        // As in the cluster: the public edge samples by its own ratio.
        TRACE_PUBLIC_EDGE: 'true',
        ...otel,
      }),
      opsPort,
    );
    servers.push(gateway);
    return gateway;
  };
  const tracedRoutes: TracedRoute[] = targets.map((target) =>
    target.upstream === fixed
      ? {
          name: 'gateway → fixed answer',
          paths: target.paths,
          async start(otel) {
            const gateway = await startGateway(fixed.url, otel);
            return { url: gateway.url, pids: [gateway.pid], stop: gateway.stop };
          },
        }
      : {
          name: 'gateway → offer, product page',
          paths: target.paths,
          async start(otel) {
            const offer = await startBuiltFunction(
              'offer',
              functionEnv({ DATABASE_URL: database?.url, AUTH_URL: fixed.url, ...otel }),
            );
            servers.push(offer);
            const gateway = await startGateway(offer.url, otel);
            return {
              url: gateway.url,
              pids: [gateway.pid, offer.pid],
              async stop() {
                await gateway.stop();
                await offer.stop();
              },
            };
          },
        },
  );
  const tracing = await measureTracingOverhead(tracedRoutes, options, failures, servers);
  await cleanup();

  const date = new Date();
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: coreCount,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    ...(postgres && { postgres }),
  };
  const markdown = [
    '## api-gateway vs the same route called directly (same run)',
    '',
    ...results.flatMap((result) => [
      table(
        `${result.target} (${result.paths} path${result.paths === 1 ? '' : 's'}, first answer ${result.bodyBytes} B)`,
        result.rows,
      ),
      '',
    ]),
    tracingTable(tracing),
    '',
    `${date.toISOString()} · ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB · Node ${machine.node}${postgres ? ` · PostgreSQL ${postgres}` : ''} (same machine, loopback)`,
    `${options.durationSeconds} s per phase after a ${options.warmupSeconds} s warm-up per path, ${options.connections} connections; rate-limit counters in ${store}${options.smoke ? ' (smoke run: too short to compare)' : ''}. “own core”: gateway on CPU 1, upstream, PostgreSQL and load generator on CPU 0; “one at a time”: the same with one connection; “shared cores”: nothing pinned. Goals (informational): ≥ ${GOAL_THROUGHPUT_RATIO} of direct throughput, ≤ ${GOAL_ADDED_P50_MS} ms added at p50.`,
    failures.length > 0 ? `\nFAILED: ${failures.join('; ')}` : '',
  ].join('\n');
  console.log(`\n${markdown}`);

  writeResults(
    'gateway',
    date,
    {
      machine,
      options,
      rateLimitStore: store,
      goals: { addedP50Ms: GOAL_ADDED_P50_MS, throughputRatio: GOAL_THROUGHPUT_RATIO },
      results,
      tracing,
      ok: failures.length === 0,
      failures,
    },
    markdown,
  );
}

await runBench('gateway', main, cleanup, failures);
