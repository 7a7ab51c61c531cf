// The redirect function as deployed (redirect.start: config, pg pool, Redis when REDIS_URL is
// set, Kafka when KAFKA_BROKERS is set, else the in-memory log) on a bench database holding
// BENCH_LINKS links bench-0 … bench-<n-1>, then `LISTENING <port>`. DATABASE_URL must name a
// database called bench_…, which bench/src/redirect.ts creates and drops.
import { redirect } from '@shop/redirect';
import { createPostgresDatabase, newId } from '@shop/shared';

const url = process.env.DATABASE_URL;
if (!url || !/^\/bench_[a-z0-9_]+$/.test(new URL(url).pathname)) {
  console.error(
    'servers/redirect.ts needs DATABASE_URL naming a bench_… database (see bench/src/redirect.ts)',
  );
  process.exit(1);
}
const links = Number(process.env.BENCH_LINKS ?? 1000);

const setup = createPostgresDatabase(url, { max: 1, applicationName: 'bench-setup' });
try {
  await redirect.applyMigrations(setup);
  const now = new Date();
  for (let i = 0; i < links; i++) {
    await setup.query(
      `INSERT INTO redirect.link (id, code, code_key, destination_url, affiliate_id, campaign, utm,
         created_at, updated_at)
       VALUES ($1, $2, $2, $3, 'bench-affiliate', 'bench', '{"utm_source":"bench"}', $4, $4)`,
      [newId(), `bench-${i}`, `https://shop.example/landing/bench-${i}`, now],
    );
  }
  await setup.exec('ANALYZE redirect.link');
} finally {
  await setup.close();
}

const running = await redirect.start({
  env: {
    ...process.env,
    DATABASE_URL: url,
    RUN_MIGRATIONS: 'true',
    SEED_DEMO_DATA: 'false',
    REDIRECT_SECRET: 'bench-secret-bench-secret-bench-secret',
    REDIRECT_DEV_HTTP_ORIGINS: '',
    ANALYTICS_TOPIC: process.env.BENCH_TOPIC ?? 'shop-analytics-bench',
    K_SINK: undefined,
  },
  port: 0,
  handleSignals: true,
});
console.log(`LISTENING ${running.port}`);
