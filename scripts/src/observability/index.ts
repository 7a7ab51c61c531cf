// npm run observability — writes knative/observability/ (dashboards, Prometheus rules and their
// promtool tests, the PrometheusRule and kustomization, METRICS.md) from the metric catalog.
// `npm run observability -- --check` writes nothing and fails when a file is not up to date.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventCatalog, writtenStraightToKafka } from '@shop/eventing';
import { DEV_FUNCTIONS } from '../functions.js';
import { formatWithBiome } from './format.js';
import { GENERATED_DIRS, generateObservability, type PlatformFunctions } from './generate.js';

/** A defined function's declared ops port (its default config's), where it has one. */
function opsPortOf(fn: object): number | undefined {
  const defined = fn as {
    declaration?: { opsPort?: (config: unknown) => number };
    loadConfig?: (env: Record<string, string | undefined>) => unknown;
  };
  const opsPort = defined.declaration?.opsPort;
  return opsPort && defined.loadConfig ? opsPort(defined.loadConfig({})) : undefined;
}

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The functions of the platform as the dev runner and the event catalog know them. */
export function platformFunctions(): PlatformFunctions {
  const events = Object.values(eventCatalog);
  const unique = (names: string[]) => [...new Set(names)].sort();
  return {
    functions: DEV_FUNCTIONS.map((f) => f.name),
    scrapeTargets: DEV_FUNCTIONS.map((f) => {
      const opsPort = opsPortOf(f);
      return opsPort === undefined ? { service: f.name } : { service: f.name, opsPort };
    }),
    // Clicks and Segment calls go straight to Kafka: their producers have no outbox for them.
    producers: unique(events.filter((e) => !writtenStraightToKafka(e.type)).map((e) => e.producer)),
    // The storefront consumes catalog events too (its page cache) but is a site with no
    // /metrics: only functions count here.
    consumers: unique(events.flatMap((e) => [...e.consumers])).filter((name) =>
      DEV_FUNCTIONS.some((f) => f.name === name),
    ),
  };
}

/**
 * The generated files, formatted as committed.
 * @example renderObservability().get('knative/observability/kustomization.yaml')
 */
export function renderObservability(root = ROOT): Map<string, string> {
  const files = new Map<string, string>();
  for (const [path, text] of generateObservability(platformFunctions())) {
    files.set(path, formatWithBiome(root, path, text));
  }
  return files;
}

/** Generated paths whose file differs, is missing, or is left over in a generated folder. */
export function staleFiles(files: Map<string, string>, root = ROOT): string[] {
  const stale: string[] = [];
  for (const [path, text] of files) {
    let current: string | undefined;
    try {
      current = readFileSync(join(root, path), 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) stale.push(path);
  }
  for (const dir of GENERATED_DIRS) {
    let names: string[] = [];
    try {
      names = readdirSync(join(root, dir));
    } catch {
      names = [];
    }
    for (const name of names) if (!files.has(`${dir}/${name}`)) stale.push(`${dir}/${name}`);
  }
  return stale;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = renderObservability();
  const stale = staleFiles(files);
  if (process.argv.includes('--check')) {
    if (stale.length > 0) {
      console.error(`not up to date (run npm run observability):\n  ${stale.join('\n  ')}`);
      process.exit(1);
    }
    console.log('knative/observability is up to date');
  } else {
    for (const path of stale) {
      const text = files.get(path);
      if (text === undefined) {
        rmSync(join(ROOT, path));
        console.log(`removed ${path}`);
      } else {
        mkdirSync(dirname(join(ROOT, path)), { recursive: true });
        writeFileSync(join(ROOT, path), text);
        console.log(`wrote ${path}`);
      }
    }
    if (stale.length === 0) console.log('knative/observability is up to date');
  }
}
