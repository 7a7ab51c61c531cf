// A throw-away PostgreSQL database for a bench (bench_<random>, created on the server
// DATABASE_URL names and dropped at the end), and the catalog reads the benches share.
import { randomUUID } from 'node:crypto';
import { createPostgresDatabase } from '@shop/shared';

export interface BenchDatabase {
  /** `bench_<random>`: the only name servers/offer.ts agrees to fill. */
  name: string;
  /** DATABASE_URL of the bench database. */
  url: string;
  create(): Promise<void>;
  /** Drops the database (`WITH (FORCE)`) if it was created, and closes the admin connection. */
  drop(): Promise<void>;
  /** The server's `server_version`. */
  postgresVersion(): Promise<string>;
  /** Process ids of the server backends connected to the bench database. */
  backendPids(): Promise<number[]>;
}

/**
 * A bench database on the server of `adminUrl`, which must allow CREATE DATABASE.
 * @example const database = benchDatabase(process.env.DATABASE_URL); await database.create();
 */
export function benchDatabase(adminUrl: string): BenchDatabase {
  const name = `bench_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const admin = createPostgresDatabase(adminUrl, { max: 1, applicationName: 'bench' });
  let created = false;
  let dropping: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    async create() {
      await admin.exec(`CREATE DATABASE ${name}`);
      created = true;
    },
    drop() {
      dropping ??= (async () => {
        if (created) {
          await admin
            .exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
            .catch((error: unknown) => console.error(`could not drop ${name}:`, error));
        }
        await admin.close().catch(() => {});
      })();
      return dropping;
    },
    async postgresVersion() {
      const { rows } = await admin.query<{ v: string }>(
        "SELECT current_setting('server_version') AS v",
      );
      return rows[0]?.v ?? '?';
    },
    async backendPids() {
      const { rows } = await admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      return rows.map((row) => row.pid);
    },
  };
}

/** GET `url` as JSON; throws naming the status when it is not 2xx. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  }
  return (await response.json()) as T;
}

/** Every active slug, paging the public listing (keyset cursor) 100 at a time. */
export async function listSlugs(baseUrl: string): Promise<string[]> {
  const slugs: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const query = new URLSearchParams({ limit: '100', sort: 'name' });
    if (cursor) query.set('cursor', cursor);
    const body = await getJson<{ items: { slug: string }[]; nextCursor: string | null }>(
      `${baseUrl}/api/offers?${query}`,
    );
    slugs.push(...body.items.map((item) => item.slug));
    cursor = body.nextCursor;
    if (!cursor) return slugs;
  }
  throw new Error('the listing did not end after 1,000 pages');
}

/**
 * `DATABASE_URL` (a PostgreSQL where the bench may create and drop a database); without it the
 * bench stops here with the commands that start one.
 */
export function requireDatabaseUrl(bench: string): string {
  const url = process.env.DATABASE_URL;
  if (url) return url;
  console.error(
    `the ${bench} bench needs DATABASE_URL (a PostgreSQL where it may create and drop a database):\n` +
      '  npm run infra -- up && eval "$(npm run -s infra -- env)"',
  );
  process.exit(1);
}
