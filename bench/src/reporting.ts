// Benchmark of reporting's year report: a year of synthetic paid orders (1,000,000; 20,000
// with --smoke) in three currencies, and the year's revenue by month in UTC and in Berlin,
// read from the daily aggregates vs the raw SQL aggregate over the same sales rows, p50/p99 of
// each in the same run. Both must give the same rows (else the bench fails); timings never do.
//   npm run bench -- reporting [--smoke] [--duration N]   (PostgreSQL with DATABASE_URL, else PGlite)
// The rows are written with SQL (generate_series), not through /events: this measures the
// read, and the aggregates are built by the same backfill a newly kept zone gets at start.
// Writes bench/results/reporting-<time>.json and .md.
import { cpus, release } from 'node:os';
import { keepZones, type ReportSource, reporting, salesReport } from '@shop/reporting';
import { createPgliteDatabase, type Database } from '@shop/shared';
import { type BenchDatabase, benchDatabase } from './bench-database.js';
import { parseFlags } from './cli.js';
import { runBench, writeResults } from './harness.js';

const flags = parseFlags(process.argv.slice(2));
if (flags.positional.length > 0)
  throw new Error(`unexpected arguments: ${flags.positional.join(' ')}`);
const ORDERS = flags.smoke ? 20_000 : 1_000_000;
const seconds = flags.durationSeconds ?? (flags.smoke ? 1 : 10);
const YEAR = { from: '2025-01-01', to: '2025-12-31' };
const ZONES = ['UTC', 'Europe/Berlin'];
const failures: string[] = [];

let bench: BenchDatabase | undefined;
let db: Database | undefined;

async function open(): Promise<{ db: Database; engine: string }> {
  const url = process.env.DATABASE_URL;
  if (!url) return { db: await createPgliteDatabase(), engine: 'PGlite (embedded)' };
  bench = benchDatabase(url);
  await bench.create();
  const { createPostgresDatabase } = await import('@shop/shared');
  return {
    db: createPostgresDatabase(bench.url, { max: 2, applicationName: 'bench-reporting' }),
    engine: `PostgreSQL ${await bench.postgresVersion()}`,
  };
}

/**
 * A year of sales: deterministic amounts, currencies and instants from the row number (bigint:
 * n × 104729 leaves int4 past n ≈ 20,500, so int arithmetic failed every run above the smoke).
 */
async function fill(target: Database): Promise<void> {
  const batch = 100_000;
  for (let start = 1; start <= ORDERS; start += batch) {
    const end = Math.min(ORDERS, start + batch - 1);
    await target.query(
      `INSERT INTO reporting.sales (order_id, payment_id, currency, revenue, paid_at)
       SELECT md5('o' || n)::uuid, md5('p' || n)::uuid,
              (ARRAY['EUR', 'EUR', 'EUR', 'USD', 'GBP'])[(1 + n % 5)::int],
              100 + (n * 7919) % 50000,
              timestamptz '2025-01-01 00:00:00+00' + ((n * 104729) % 31536000) * interval '1 second'
         FROM generate_series($1::bigint, $2::bigint) AS n`,
      [start, end],
    );
  }
  await target.query(
    `INSERT INTO reporting.refunds_counted
       (payment_id, provider_refund_id, order_id, currency, amount, refunded_at)
     SELECT payment_id, 're_' || order_id, order_id, currency, revenue / 2, paid_at + interval '3 days'
       FROM reporting.sales WHERE revenue % 20 = 0`,
  );
  await target.exec('ANALYZE reporting.sales; ANALYZE reporting.refunds_counted');
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

async function time(target: Database, zone: string, source: ReportSource) {
  const run = () => salesReport(target, { zone, ...YEAR }, 'month', source);
  const result = JSON.stringify(await run());
  for (let i = 0; i < 3; i++) await run();
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end || samples.length < 5) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return {
    zone,
    source,
    runs: samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    result,
  };
}

await runBench(
  'reporting',
  async () => {
    const opened = await open();
    db = opened.db;
    await reporting.applyMigrations(db);
    const filling = performance.now();
    await fill(db);
    await keepZones(db, ZONES);
    console.log(
      `${ORDERS} orders and their daily aggregates in ${((performance.now() - filling) / 1000).toFixed(1)} s`,
    );
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM reporting.daily_sales WHERE zone = 'UTC'`,
    );
    const rowsPerZone = rows[0]?.n ?? 0;
    const results = [];
    for (const zone of ZONES) {
      const aggregated = await time(db, zone, 'daily_aggregates');
      const raw = await time(db, zone, 'facts');
      if (aggregated.result !== raw.result) {
        failures.push(`${zone}: the daily aggregates and the raw aggregate disagree`);
      }
      results.push(aggregated, raw);
    }
    const lines = [
      `## reporting: a year's revenue by month, ${ORDERS} orders (${opened.engine}; ${cpus()[0]?.model ?? 'cpu'}, Linux ${release()})`,
      '',
      `${rowsPerZone} daily aggregate rows per zone (days × currencies) against ${ORDERS} sales rows.`,
      '',
      '| zone | read | runs | p50 ms | p99 ms | raw p50 ÷ this p50 |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
    ];
    for (const row of results) {
      const raw = results.find((r) => r.zone === row.zone && r.source === 'facts') ?? row;
      lines.push(
        `| ${row.zone} | ${row.source === 'facts' ? 'raw SQL over sales' : 'daily aggregates'} | ${row.runs} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${(raw.p50 / row.p50).toFixed(1)}× |`,
      );
    }
    const markdown = lines.join('\n');
    console.log(markdown);
    writeResults(
      'reporting',
      new Date(),
      {
        orders: ORDERS,
        engine: opened.engine,
        rowsPerZone,
        seconds,
        results: results.map(({ result: _, ...rest }) => rest),
      },
      markdown,
    );
  },
  async () => {
    await db?.close().catch(() => {});
    await bench?.drop();
  },
  failures,
);
