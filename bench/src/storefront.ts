// Benchmark of the storefront's server render, as its container runs it (`astro build`, the node
// adapter's standalone server): GET /p/{slug} — the product page: layout, product, related
// products, categories, JSON-LD — against GET /help, the same layout with fixed text and no
// gateway call (the baseline), in one run; then the product page with the catalog cache off
// (CATALOG_CACHE_SECONDS=0: three gateway calls per page), and how long a page keeps its old
// price once a catalog event reached /events.
// Behind the site: the gateway (gateway.start) and offer (offer.start on a bench_… PostgreSQL
// database with the demo catalog), as in the gateway bench.
//   npm run bench -- storefront [--smoke] [--duration 10] [--connections 20] [--warmup 3]
// Exits non-zero on connection errors, non-2xx answers, or a check before load that failed
// (a page without its price, an event refused). Writes bench/results/storefront-<time>.json, .md.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createPostgresDatabase, functionAudience } from '@shop/shared';
import { startStorefront } from '@shop/storefront/dev-server';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { benchDatabase, listSlugs, requireDatabaseUrl } from './bench-database.js';
import { parseFlags, phaseOptions } from './cli.js';
import {
  type ChildServer,
  type Measurement,
  report,
  runBench,
  startServer,
  warmedPhase,
  writeResults,
} from './harness.js';

const flags = parseFlags(process.argv.slice(2));
if (flags.positional.length > 0) {
  throw new Error(`unexpected arguments: ${flags.positional.join(' ')}`);
}
const options = phaseOptions(flags, { durationSeconds: 10, warmupSeconds: 3, connections: 20 });
const adminUrl = requireDatabaseUrl('storefront');

/** The cluster's service-account issuer, as the bench plays it for /events. */
const ISSUER = 'https://kubernetes.default.svc';
const TRIGGER_ACCOUNT = 'storefront-on-catalog-changes-oidc-eventing.knative.dev-trigger';
const PRODUCTS = 100;
const PRICE_CHANGES = 20;

const failures: string[] = [];
const servers: ChildServer[] = [];
const sites: { stop(): Promise<void> }[] = [];
const database = benchDatabase(adminUrl);

function check(m: Measurement) {
  if (m.errors > 0) failures.push(`${m.name}: ${m.errors} connection errors or timeouts`);
  if (m.non2xx > 0) failures.push(`${m.name}: ${m.non2xx} answers not 2xx`);
  if (m.requests === 0) failures.push(`${m.name}: no request completed`);
}

async function phase(
  name: string,
  baseUrl: string,
  paths: string[],
  headers: Record<string, string>,
): Promise<Measurement> {
  const load = { connections: options.connections, paths, headers };
  console.log(
    `${name}: ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s, ${options.connections} connections`,
  );
  return warmedPhase(name, baseUrl, load, options, check);
}

/** A session of the site, as a returning shopper's browser sends it. */
async function sessionCookie(baseUrl: string): Promise<Record<string, string>> {
  const res = await fetch(`${baseUrl}/help`);
  await res.body?.cancel();
  const line = res.headers.getSetCookie().find((l) => l.startsWith('__Host-shop_session='));
  if (res.status !== 200 || !line)
    throw new Error(`GET /help answered ${res.status} without a session`);
  return { cookie: line.split(';')[0] ?? '' };
}

async function page(baseUrl: string, path: string, headers: Record<string, string>) {
  const res = await fetch(`${baseUrl}${path}`, { headers });
  return { status: res.status, html: await res.text() };
}

/** A price as the English product page shows it. */
const euros = (amount: number) =>
  new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }).format(amount / 100);

async function main() {
  console.log('building the storefront (npm run build -w @shop/storefront)');
  const build = spawnSync('npm', ['run', 'build', '-w', '@shop/storefront'], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0) throw new Error('the storefront build failed');

  // One key signs the gateway's bench tokens' JWKS and the broker's OIDC tokens for /events.
  const kid = randomUUID();
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const fixed = await startServer('upstream', { BENCH_JWK_PUBLIC: JSON.stringify(publicJwk) });
  servers.push(fixed);
  const jwksUrl = `${fixed.url}/.well-known/jwks.json`;

  const postgres = await database.postgresVersion();
  await database.create();
  console.log(`preparing ${database.name} (migrations, demo catalog)`);
  const offer = await startServer('offer', {
    DATABASE_URL: database.url,
    BENCH_EXTRA_PRODUCTS: '0',
    SHUTDOWN_TIMEOUT_MS: '5000',
    AUTH_URL: fixed.url,
  });
  servers.push(offer);
  const gateway = await startServer('gateway', {
    BENCH_UPSTREAM_URL: offer.url,
    BENCH_JWKS_URL: jwksUrl,
  });
  servers.push(gateway);
  const slugs = (await listSlugs(offer.url)).slice(0, PRODUCTS);
  const productPaths = slugs.map((slug) => `/p/${encodeURIComponent(slug)}`);

  const siteEnv = {
    LOG_LEVEL: 'warn',
    // The bench's issuer stands in for the cluster's, the Trigger's identity for the broker.
    EVENTS_OIDC_ISSUER: ISSUER,
    EVENTS_OIDC_JWKS_URL: jwksUrl,
    EVENTS_ALLOWED_SENDERS: `system:serviceaccount:shop:${TRIGGER_ACCOUNT}`,
  };
  const port = (offset: number) => 4400 + offset + Math.floor(Math.random() * 500);
  const cached = await startStorefront({
    port: port(0),
    gatewayUrl: gateway.url,
    mode: 'built',
    // An hour: during the run only events empty the cache.
    env: { ...siteEnv, CATALOG_CACHE_SECONDS: '3600' },
  });
  sites.push(cached);
  const uncached = await startStorefront({
    port: port(500),
    gatewayUrl: gateway.url,
    mode: 'built',
    env: { ...siteEnv, CATALOG_CACHE_SECONDS: '0' },
  });
  sites.push(uncached);
  const cookie = await sessionCookie(cached.url);
  const uncachedCookie = await sessionCookie(uncached.url);

  // Before load: the product page is the product's, the help page is fixed text.
  const first = await page(cached.url, productPaths[0] ?? '/', cookie);
  if (first.status !== 200 || !first.html.includes('"@type":"Product"')) {
    throw new Error(`GET ${productPaths[0]} answered ${first.status} without the product`);
  }

  const baseline = await phase('help page (baseline)', cached.url, ['/help'], cookie);
  const product = await phase('product page, cached', cached.url, productPaths, cookie);
  const cold = await phase('product page, cache off', uncached.url, productPaths, uncachedCookie);

  // A price change: the new price in offer's table, then the event the broker would deliver;
  // measured from the event's post to the page showing the new price.
  const db = createPostgresDatabase(database.url, { max: 1, applicationName: 'bench-prices' });
  const latencies: number[] = [];
  try {
    const slug = slugs[0] ?? '';
    const path = productPaths[0] ?? '/';
    for (let i = 0; i < PRICE_CHANGES; i++) {
      const amount = 100_000 + i * 7;
      const { rows } = await db.query<{ id: string }>(
        'UPDATE offer.product SET price_amount = $1, version = version + 1 WHERE slug = $2 RETURNING id',
        [amount, slug],
      );
      const productId = rows[0]?.id ?? '';
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setSubject(`system:serviceaccount:shop:${TRIGGER_ACCOUNT}`)
        .setAudience(functionAudience('storefront'))
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const started = performance.now();
      const delivered = await fetch(`${cached.url}/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-id': randomUUID(),
          'ce-source': '/shop/offer',
          'ce-type': 'shop.offer.price_changed',
          'ce-subject': productId,
        },
        body: JSON.stringify({
          productId,
          slug,
          previousPrice: null,
          price: { amount, currency: 'EUR' },
          changedBy: null,
          changedAt: new Date().toISOString(),
        }),
      });
      if (delivered.status !== 204) {
        throw new Error(`/events answered ${delivered.status}: ${await delivered.text()}`);
      }
      for (;;) {
        const shown = await page(cached.url, path, cookie);
        if (shown.html.includes(euros(amount))) break;
        if (performance.now() - started > 10_000) {
          throw new Error(`the page still lacked ${euros(amount)} 10 s after the event`);
        }
      }
      latencies.push(performance.now() - started);
    }
  } finally {
    await db.close();
  }
  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)] ?? Number.NaN;
  const worst = latencies.at(-1) ?? Number.NaN;

  const date = new Date();
  const table = report('storefront — server render (built site, node adapter)', baseline, [
    product,
    cold,
  ]);
  const markdown = [
    table,
    '',
    `Event to page: a \`shop.offer.price_changed\` posted to /events (OIDC-checked) until the product page shows the new price, ${PRICE_CHANGES} times: median ${median.toFixed(1)} ms, worst ${worst.toFixed(1)} ms.`,
    '',
    `${options.connections} connections, ${options.durationSeconds} s per phase; ${PRODUCTS} product pages in turn; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}, ${postgres}; sessions ${process.env.REDIS_URL ? 'in Redis' : 'in memory'}.`,
  ].join('\n');
  console.log(`\n${markdown}`);
  writeResults(
    'storefront',
    date,
    {
      options,
      baseline,
      rows: [product, cold],
      ratios: {
        cachedProductToHelp: product.requestsPerSecond / baseline.requestsPerSecond,
        uncachedProductToHelp: cold.requestsPerSecond / baseline.requestsPerSecond,
      },
      eventToPageMs: { median, worst, samples: latencies },
    },
    markdown,
  );
}

await runBench(
  'storefront',
  main,
  async () => {
    await Promise.allSettled(sites.map((site) => site.stop()));
    await Promise.allSettled(servers.map((server) => server.stop()));
    await database.drop().catch((error: unknown) => console.error(error));
  },
  failures,
);
