// The bench runner: `npm run bench -- offer|broker|gateway|entry-points|redirect|attribution|flags|ingest|reporting|storefront|all [--smoke] [--duration N] [--connections N] [--warmup N]`.
// Each bench runs in a process of its own (no JIT or heap shared between them), one after the
// other, with the flags passed through. The broker bench needs KAFKA_BROKERS and is skipped
// without it; the offer bench needs DATABASE_URL (`eval "$(npm run -s infra -- env)"`).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseFlags } from './cli.js';

const BENCHES = [
  'offer',
  'broker',
  'gateway',
  'entry-points',
  'redirect',
  'attribution',
  'flags',
  'ingest',
  'reporting',
  'storefront',
] as const;
type Bench = (typeof BENCHES)[number];

const USAGE = `usage: npm run bench -- offer|broker|gateway|entry-points|redirect|attribution|flags|ingest|reporting|storefront|all [--smoke] [--duration N] [--connections N] [--warmup N]
  offer   GET /api/offers?q=… and /api/offers/{slug} on PostgreSQL vs a bare hello world (needs DATABASE_URL)
  broker  the local Knative Kafka broker vs kafkajs alone (needs KAFKA_BROKERS)
  gateway a product page (with DATABASE_URL) and a fixed answer through the api-gateway vs called directly
  entry-points  a fixed JSON route through functions-framework vs node-server, one declaration
  redirect  GET /r/{code} (PostgreSQL, Redis with REDIS_URL, clicks to Kafka with KAFKA_BROKERS) vs a bare node-server 302 (needs DATABASE_URL)
  attribution  scoring 1,000 orders × 10 touches under each model vs a bare loop over the same data
  flags   OFREP bulk (50 flags) and single-flag evaluation vs the same evaluation in process (embedded database)
  ingest  events/s through POST /v1/batch into Kafka vs kafkajs producing the same records directly, zero lost (KAFKA_BROKERS, else the in-memory log)
  reporting  a year's revenue report over 1,000,000 orders: daily aggregates vs a raw SQL aggregate, p50/p99 (DATABASE_URL, else PGlite)
  storefront  the built storefront's product page (catalog cache on and off) vs its fixed-text help page, and event → page time (needs DATABASE_URL)
  all     all ten, one after the other
  --smoke 2 s phases: proves the benches run; --duration N seconds per phase`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const argv = process.argv.slice(2);
let flags: ReturnType<typeof parseFlags>;
try {
  flags = parseFlags(argv);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (flags.positional.length !== 1) fail('name one bench');
const target = flags.positional[0] as string;
if (target !== 'all' && !BENCHES.includes(target as Bench)) fail(`unknown bench ${target}`);
const selected: Bench[] = target === 'all' ? [...BENCHES] : [target as Bench];
const passThrough = argv.filter((arg) => arg !== target);

let current: ChildProcess | undefined;
let interrupted = false;
// Pass a stop on to the running bench and wait for it to clean up (drop its database, topics).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true;
    current?.kill(signal);
  });
}

async function runBench(name: Bench): Promise<number> {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const args = ['--conditions=source', '--import', 'tsx', file, ...passThrough];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  current = child;
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  current = undefined;
  return code ?? (signal ? 1 : 0);
}

const summary: string[] = [];
let exitCode = 0;
for (const name of selected) {
  if (interrupted) break;
  if (name === 'broker' && !process.env.KAFKA_BROKERS) {
    const message =
      'broker: skipped — KAFKA_BROKERS is not set (npm run infra -- up; eval "$(npm run -s infra -- env)")';
    console.log(message);
    summary.push(message);
    continue;
  }
  console.log(`\n=== ${name} ${passThrough.join(' ')}`.trimEnd());
  const started = Date.now();
  const code = await runBench(name);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  summary.push(`${name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds} s`);
  if (code !== 0) exitCode = 1;
}
console.log(`\n${summary.join('\n')}`);
process.exitCode = exitCode;
