// The offer function as deployed (offer.start: config, pg pool, app, serve) on a bench database:
// migrations, the demo catalog and BENCH_EXTRA_PRODUCTS generated products (default 5,000),
// then `LISTENING <port>`. DATABASE_URL must name a database called bench_…, which bench/src/offer.ts
// creates and drops; this script never fills any other database.
import { offer as offerFunction, seedCatalog } from '@shop/offer';
import { createPostgresDatabase } from '@shop/shared';
import { generateProducts, insertProducts } from '../catalog.js';

const url = process.env.DATABASE_URL;
if (!url || !/^\/bench_[a-z0-9_]+$/.test(new URL(url).pathname)) {
  console.error(
    'servers/offer.ts needs DATABASE_URL naming a bench_… database (see bench/src/offer.ts)',
  );
  process.exit(1);
}
const extra = Number(process.env.BENCH_EXTRA_PRODUCTS ?? 5000);

const setup = createPostgresDatabase(url, { max: 1, applicationName: 'bench-setup' });
try {
  await offerFunction.applyMigrations(setup);
  await seedCatalog(setup);
  await insertProducts(setup, generateProducts(extra));
  await setup.exec('ANALYZE offer.product');
} finally {
  await setup.close();
}

// RUN_MIGRATIONS/SEED_DEMO_DATA as a deployment with demo data would set them; both are no-ops
// on the database prepared above, and either way offer reads its own config from this env.
// No K_SINK: reads record no events, and the bench measures no outbox relay.
const offer = await offerFunction.start({
  env: {
    ...process.env,
    DATABASE_URL: url,
    RUN_MIGRATIONS: 'true',
    SEED_DEMO_DATA: 'true',
    K_SINK: undefined,
  },
  port: 0,
  handleSignals: true,
});
console.log(`LISTENING ${offer.port}`);
