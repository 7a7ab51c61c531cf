// Benchmark of attribution's scoring: 1,000 orders with 10 touches each, scored under every
// model, against a baseline measured in the same run: a bare loop over the same data that
// splits each amount evenly with integer division (what any scoring must at least do). The
// data-driven model's row includes learning the removal effects from the 1,000 paths (and as
// many non-converting ones) once per pass. Ratios are the result, never a failing exit.
//   npm run bench -- attribution [--smoke] [--duration 5]
// Exits non-zero if a model's credits do not sum to an order's amount. Writes
// bench/results/attribution-<time>.json and .md.
import { cpus, release } from 'node:os';
import {
  channelOf,
  MODELS,
  type Model,
  removalEffects,
  scoreCredit,
  sortTouchpoints,
  type Touchpoint,
} from '@shop/attribution';
import { parseFlags } from './cli.js';
import { runBench, writeResults } from './harness.js';

const ORDERS = 1_000;
const TOUCHES = 10;
const DAY = 86_400_000;
const flags = parseFlags(process.argv.slice(2));
if (flags.positional.length > 0)
  throw new Error(`unexpected arguments: ${flags.positional.join(' ')}`);
const seconds = flags.durationSeconds ?? (flags.smoke ? 0.5 : 3);

// A fixed pseudo-random sequence (mulberry32), so every run scores the same data.
let seed = 12_345;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const purchasedAt = new Date('2026-11-20T12:00:00Z');
const orders = Array.from({ length: ORDERS }, (_, order) => ({
  amount: 100 + Math.floor(random() * 100_000),
  touches: sortTouchpoints(
    Array.from(
      { length: TOUCHES },
      (_, index): Touchpoint => ({
        id: `click:${order}-${index}`,
        kind: 'click',
        clickId: null,
        linkId: null,
        affiliateId: `aff-${Math.floor(random() * 20)}`,
        campaign: null,
        touchedAt: new Date(purchasedAt.getTime() - Math.floor(random() * 30 * DAY)),
      }),
    ),
  ),
}));
const nonConverting = orders.map((order) => ({
  channels: order.touches.slice(0, 3).map(channelOf),
  converted: false,
}));

const failures: string[] = [];

function bareLoop(): number {
  let checksum = 0;
  for (const order of orders) {
    const share = Math.floor(order.amount / order.touches.length);
    let left = order.amount - share * order.touches.length;
    for (let i = 0; i < order.touches.length; i++) {
      checksum += share + (left > 0 ? 1 : 0);
      left -= 1;
    }
  }
  return checksum;
}

function scoreAll(model: Model): number {
  let checksum = 0;
  const channelWeights =
    model === 'data_driven'
      ? removalEffects([
          ...orders.map((order) => ({ channels: order.touches.map(channelOf), converted: true })),
          ...nonConverting,
        ]).weights
      : undefined;
  for (const order of orders) {
    const credits = scoreCredit(model, order.amount, order.touches, {
      purchasedAt,
      ...(channelWeights && { channelWeights }),
    });
    let sum = 0;
    for (const { credit } of credits) sum += credit;
    if (sum !== order.amount) failures.push(`${model}: credits ${sum} ≠ ${order.amount}`);
    checksum += sum;
  }
  return checksum;
}

/** Passes of `work` over the 1,000 orders in `seconds`, after a short warm-up. */
function measure(name: string, work: () => number) {
  const warmUntil = performance.now() + Math.min(500, seconds * 200);
  while (performance.now() < warmUntil) work();
  let passes = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    work();
    passes += 1;
  }
  const elapsed = (performance.now() - start) / 1000;
  return { name, ordersPerSecond: (passes * ORDERS) / elapsed, passes };
}

await runBench(
  'attribution',
  async () => {
    const baseline = measure('bare loop (even split)', bareLoop);
    const rows = MODELS.map((model) => measure(model, () => scoreAll(model)));
    const lines = [
      `## attribution scoring: ${ORDERS} orders × ${TOUCHES} touches (${cpus()[0]?.model ?? 'cpu'}, Linux ${release()})`,
      '',
      '| run | orders/s | passes | ÷ bare loop | ÷ last click |',
      '| --- | ---: | ---: | ---: | ---: |',
    ];
    const lastClick = rows.find((row) => row.name === 'last_click') ?? baseline;
    for (const row of [baseline, ...rows]) {
      lines.push(
        `| ${row.name} | ${row.ordersPerSecond.toFixed(0)} | ${row.passes} | ${(row.ordersPerSecond / baseline.ordersPerSecond).toFixed(4)}× | ${(row.ordersPerSecond / lastClick.ordersPerSecond).toFixed(3)}× |`,
      );
    }
    const markdown = lines.join('\n');
    console.log(markdown);
    writeResults(
      'attribution',
      new Date(),
      { orders: ORDERS, touches: TOUCHES, seconds, baseline, rows },
      markdown,
    );
  },
  async () => {},
  failures,
);
