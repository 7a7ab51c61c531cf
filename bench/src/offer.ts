// Benchmark of the offer function's public reads on the real PostgreSQL, next to a bare
// @hono/node-server hello world measured in the same run (the ratio is the result; absolute
// numbers depend on the machine):
//   1. hello world (bench/src/servers/hello.ts) — the baseline;
//   2. search: GET /api/offers?q=… rotating over SEARCHES (catalog.ts);
//   3. search in a category: GET /api/offers?q=…&category=… rotating over CATEGORY_SEARCHES;
//   4. by slug: GET /api/offers/{slug} rotating over every active slug, read from the listing;
//   5. tracing overhead: the by-slug route on the built offer function with the tracing preload:
//      preload without exporter, traced at 10 % and 100 % to a local OTLP sink, each in pairs
//      with an untraced run beside it (tracing-overhead.ts), as the median of the pairs' ratios.
// Each target gets an uncounted warm-up first. Offer runs in a child process (offer.start on port
// 0, bench/src/servers/offer.ts) on a fresh database bench_<random> created on the server
// DATABASE_URL names and dropped at the end: migrations, the demo seed and 5,000 generated products.
//   npm run bench -- offer [--smoke] [--duration 10] [--connections 20] [--warmup 3]
// Exits non-zero when a phase had connection errors or non-2xx answers (correctness, not
// timing). Writes bench/results/offer-<time>.json and .md.
import { cpus, release, totalmem } from 'node:os';
import { createPostgresDatabase } from '@shop/shared';
import { benchDatabase, getJson, listSlugs } from './bench-database.js';
import { CATEGORY_SEARCHES, SEARCHES } from './catalog.js';
import { parseFlags, phaseOptions } from './cli.js';
import {
  type Measurement,
  measure,
  report,
  runBench,
  startServer,
  writeResults,
} from './harness.js';
import {
  buildForTracing,
  functionEnv,
  measureTracingOverhead,
  startBuiltFunction,
  TRACING_ROUNDS,
  tracingTable,
} from './tracing-overhead.js';

const EXTRA_PRODUCTS = 5000;

const flags = parseFlags(process.argv.slice(2));
if (flags.positional.length > 0)
  throw new Error(`unexpected arguments: ${flags.positional.join(' ')}`);
const options = phaseOptions(flags, { durationSeconds: 10, warmupSeconds: 3, connections: 20 });
/** Four phases, then the tracing pairs: three set-ups, each paired with a baseline run. */
const PHASES = 4 + 3 * 2 * (flags.smoke ? 1 : TRACING_ROUNDS);

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error(
    'the offer bench needs DATABASE_URL (a PostgreSQL where it may create and drop a database):\n' +
      '  npm run infra -- up && eval "$(npm run -s infra -- env)"',
  );
  process.exit(1);
}

const failures: string[] = [];

/** Warm-up (checked, not reported), then the measured run. */
async function phase(name: string, baseUrl: string, paths: string[]): Promise<Measurement> {
  const load = { connections: options.connections, paths };
  console.log(
    `${name}: ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s, ${options.connections} connections, ${paths.length} paths`,
  );
  if (options.warmupSeconds > 0) {
    const warm = await measure(`${name} (warm-up)`, baseUrl, {
      ...load,
      durationSeconds: options.warmupSeconds,
    });
    check(warm);
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

const database = benchDatabase(adminUrl);
const databaseName = database.name;
const servers: { stop(): Promise<void> }[] = [];
let cleaning: Promise<void> | undefined;

/** Stops the servers and drops the bench database; safe to call twice (SIGINT during finally). */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all(servers.map((server) => server.stop().catch(() => {})));
    await database.drop();
  })();
  return cleaning;
}

// Ctrl-C reaches this process from the terminal and again from the runner: clean up once.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!cleaning) console.error(`${signal}: stopping; dropping ${databaseName}`);
    void cleanup().finally(() => process.exit(130));
  });
}
const budgetSeconds = PHASES * (options.warmupSeconds + options.durationSeconds) + 300;
setTimeout(() => {
  console.error(`the offer bench exceeded ${budgetSeconds} s; stopping`);
  void cleanup().finally(() => process.exit(1));
}, budgetSeconds * 1000).unref();

async function main() {
  const postgres = await database.postgresVersion();
  await database.create();
  // The tracing phases run the built offer (dist/), as its container does: build it first.
  buildForTracing(['offer']);

  const hello = await startServer('hello');
  servers.push(hello);
  const baseline = await phase('hello world (baseline)', hello.url, ['/']);
  await hello.stop();

  console.log(
    `offer: preparing ${databaseName} (migrations, demo seed, ${EXTRA_PRODUCTS} generated products)`,
  );
  const offer = await startServer('offer', {
    DATABASE_URL: database.url,
    BENCH_EXTRA_PRODUCTS: String(EXTRA_PRODUCTS),
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  servers.push(offer);

  // Correctness before load: each search finds something, and the slugs come from the listing.
  const searchPaths = SEARCHES.map((q) => `/api/offers?${new URLSearchParams({ q })}`);
  const categoryPaths = CATEGORY_SEARCHES.map((s) => `/api/offers?${new URLSearchParams(s)}`);
  for (const path of [...searchPaths, ...categoryPaths]) {
    const { items } = await getJson<{ items: unknown[] }>(`${offer.url}${path}`);
    if (items.length === 0) throw new Error(`${path} found nothing; the bench catalog is wrong`);
  }
  const slugs = await listSlugs(offer.url);
  const catalog = createPostgresDatabase(database.url, { max: 1, applicationName: 'bench' });
  const matches: Record<string, number> = {};
  let products = 0;
  try {
    const count = async (where: string, params: unknown[]) =>
      (
        await catalog.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM offer.product p WHERE ${where}`,
          params,
        )
      ).rows[0]?.n ?? 0;
    products = await count('true', []);
    for (const q of SEARCHES) {
      matches[q] = await count(
        `p.status = 'active' AND p.search @@ websearch_to_tsquery('english', $1)`,
        [q],
      );
    }
    for (const { q, category } of CATEGORY_SEARCHES) {
      matches[`${q} in ${category}`] = await count(
        `p.status = 'active' AND p.category = $2 AND p.search @@ websearch_to_tsquery('english', $1)`,
        [q, category],
      );
    }
  } finally {
    await catalog.close();
  }
  console.log(
    `offer: ${products} products (${slugs.length} active); search matches: ${Object.entries(matches)
      .map(([q, n]) => `${q} ${n}`)
      .join(', ')}`,
  );

  const slugPaths = slugs.map((slug) => `/api/offers/${encodeURIComponent(slug)}`);
  const rows = [
    await phase('search ?q=', offer.url, searchPaths),
    await phase('search ?q=&category=', offer.url, categoryPaths),
    await phase('by slug /{slug}', offer.url, slugPaths),
  ];
  await offer.stop();

  const tracing = await measureTracingOverhead(
    [
      {
        name: 'offer, by slug /{slug}',
        paths: slugPaths,
        async start(otel) {
          const built = await startBuiltFunction(
            'offer',
            functionEnv({ DATABASE_URL: database.url, ...otel }),
          );
          servers.push(built);
          return { url: built.url, pids: [built.pid], stop: built.stop };
        },
      },
    ],
    options,
    failures,
    servers,
  );

  const date = new Date();
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    postgres,
  };
  const table = report('offer vs bare @hono/node-server (same run)', baseline, rows);
  const markdown = [
    table,
    '',
    `${date.toISOString()} · ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB · Node ${machine.node} · PostgreSQL ${postgres} (same machine, loopback)`,
    `${options.durationSeconds} s per phase after a ${options.warmupSeconds} s warm-up, ${options.connections} connections${options.smoke ? ' (smoke run: too short to compare)' : ''}; catalog ${products} products, search matches: ${Object.entries(
      matches,
    )
      .map(([q, n]) => `“${q}” ${n}`)
      .join(', ')}.`,
    '',
    tracingTable(tracing),
    failures.length > 0 ? `\nFAILED: ${failures.join('; ')}` : '',
  ].join('\n');
  console.log(`\n${markdown}`);

  const ratio = (m: Measurement) => ({
    ...m,
    requestsPerSecondRatio: m.requestsPerSecond / baseline.requestsPerSecond,
    p99Ratio: m.p99Ms / Math.max(baseline.p99Ms, 0.001),
  });
  writeResults(
    'offer',
    date,
    {
      machine,
      options,
      catalog: {
        products,
        activeSlugs: slugs.length,
        searches: SEARCHES,
        categorySearches: CATEGORY_SEARCHES,
        matches,
      },
      baseline,
      rows: rows.map(ratio),
      tracing,
      ok: failures.length === 0,
      failures,
    },
    markdown,
  );
}

await runBench('offer', main, cleanup, failures);
