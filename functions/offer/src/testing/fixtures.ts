// Test helpers of the offer function: one migrated database per test file, product factories.
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createLogger,
  type Database,
  type Logger,
  newId,
  type ServiceEnv,
  silentLogger,
} from '@shop/shared';
import { identityHeaders, testDatabase, testVerifyToken } from '@shop/shared/testing';
import { createApp } from '../app.js';
import type { Product } from '../domain/product.js';
import { offer } from '../main.js';
import { insertCategory, insertProduct, type NewProduct } from '../store.js';

export interface Testbed {
  db: Database;
  app: OpenAPIHono<ServiceEnv>;
  cleanup: () => Promise<void>;
}

/** A migrated database (PGlite, or a fresh PostgreSQL database in real-infra runs) and the app. */
export async function createTestbed(): Promise<Testbed> {
  const { db, cleanup } = await testDatabase();
  await offer.applyMigrations(db);
  return { db, app: createApp({ db, log: silentLogger(), verifyToken: testVerifyToken }), cleanup };
}

let counter = 0;

/** A slug no other test uses, so tests sharing a database keep to their own data. */
export function uniqueSlug(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Creates a category of its own for one test and returns its slug. */
export async function addCategory(db: Database, prefix = 'cat'): Promise<string> {
  const slug = uniqueSlug(prefix);
  await insertCategory(db, { slug, name: `Category ${slug}`, description: 'for a test' });
  return slug;
}

/** A valid product, with whatever the test cares about overridden. */
export function productFixture(overrides: Partial<NewProduct> & { category: string }): NewProduct {
  const slug = overrides.slug ?? uniqueSlug('product');
  const createdAt = overrides.createdAt ?? new Date();
  return {
    id: newId(),
    slug,
    name: `Product ${slug}`,
    description: 'A plain test product.',
    priceAmount: 1000,
    currency: 'EUR',
    images: [`https://picsum.photos/seed/${slug}/800/800`],
    stock: 5,
    status: 'active',
    updatedAt: createdAt,
    ...overrides,
    createdAt,
  };
}

export async function addProduct(
  db: Database,
  overrides: Partial<NewProduct> & { category: string },
): Promise<Product> {
  const product = await insertProduct(db, productFixture(overrides));
  if (!product) throw new Error('fixture product was not inserted');
  return product;
}

/** A JSON request to the app. */
/** The staff member test requests to /api/admin act as unless they say otherwise. */
export const TEST_STAFF_ID = 'staff-test';

/** The Authorization header of staff member `userId` (test issuer). */
export function asStaff(userId = TEST_STAFF_ID): { authorization: string } {
  return identityHeaders({ userId, roles: ['staff'] });
}

/**
 * Sends a request to the app; one to /api/admin carries a staff token ({@link asStaff}) unless
 * `headers` has an Authorization of its own.
 */
export function send(
  app: OpenAPIHono<ServiceEnv>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const signed =
    path.startsWith('/api/admin') && !('authorization' in headers)
      ? { ...asStaff(), ...headers }
      : headers;
  return Promise.resolve(
    app.request(path, {
      method,
      headers: body === undefined ? signed : { 'content-type': 'application/json', ...signed },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
  );
}

export interface OfferItem {
  id: string;
  slug: string;
  name: string;
  priceAmount: number;
  createdAt: string;
  status: string;
  version: number;
  [field: string]: unknown;
}

export interface OfferPage {
  items: OfferItem[];
  nextCursor: string | null;
}

/** GETs a listing page and fails loudly on anything but 200. */
export async function getPage(
  app: OpenAPIHono<ServiceEnv>,
  path: string,
  params: Record<string, string | number | undefined>,
): Promise<OfferPage> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) query.set(name, String(value));
  }
  const res = await send(app, 'GET', `${path}?${query}`);
  if (res.status !== 200)
    throw new Error(`${path}?${query} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as OfferPage;
}

/** Every page of a listing, following nextCursor; `between` runs after each page. */
export async function getAllPages(
  app: OpenAPIHono<ServiceEnv>,
  path: string,
  params: Record<string, string | number | undefined>,
  between?: (page: OfferPage, index: number) => Promise<void>,
): Promise<{ items: OfferItem[]; pages: number }> {
  const items: OfferItem[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await getPage(app, path, { ...params, cursor });
    items.push(...page.items);
    pages += 1;
    if (pages > 1000) throw new Error('pagination does not end');
    await between?.(page, pages - 1);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { items, pages };
}

/** Rows in a table of the offer schema. */
export async function countRows(
  db: Database,
  table: 'product' | 'category' | 'outbox',
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM offer.${table}`);
  return rows[0]?.n ?? 0;
}

/** One JSON log line, as pino wrote it. */
export interface LogLine {
  level: string;
  msg?: string;
  [field: string]: unknown;
}

/** A logger that keeps its lines in memory, for tests that check what was logged. */
export function captureLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = createLogger({
    service: 'offer',
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  });
  return { log, lines };
}
