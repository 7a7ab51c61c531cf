// Catalog imports: a CSV file of products, matched by slug, checked row by row before anything
// is written (the dry run answers the same check), then applied as a job in chunks — each chunk
// one transaction that also records how far the job got, so a job an instance could not finish
// (a scale-down, a crash) is taken up where it stopped by the next one, and no row is applied
// twice. Each product changes exactly as the single-product staff routes would change it, with
// the same events; a row equal to its product changes nothing (export → import is a no-op).
import type { Database, Logger, Queryable } from '@shop/shared';
import { newId } from '@shop/shared';
import { z } from 'zod';
import { buildCreatedEvent } from './domain/build-created-event.js';
import { buildEditEvents } from './domain/build-edit-events.js';
import { buildPriceChangedEvent } from './domain/build-price-changed-event.js';
import { buildStatusEvent } from './domain/build-status-event.js';
import { type CatalogCsvColumn, type CatalogCsvRow, restoreCell } from './domain/catalog-csv.js';
import type { Product, ProductChanges, ProductStatus } from './domain/product.js';
import { events } from './events.js';
import {
  AmountSchema,
  CurrencySchema,
  ImagesSchema,
  ProductStatusSchema,
  SlugSchema,
  StockSchema,
  text,
} from './routes/schemas.js';
import { insertProduct, listCategories, updateProduct } from './store.js';

/** At most this many rows in one file. */
export const MAX_IMPORT_ROWS = 50_000;
/** Rows applied per transaction. */
export const IMPORT_CHUNK_ROWS = 250;
/** Errors a preview or a job reports in full (the count is always complete). */
const MAX_REPORTED_ERRORS = 1000;

/** A row's values, checked; a field the file has no column for is undefined (kept as it is). */
export interface ImportValues {
  slug: string;
  name?: string;
  category?: string;
  priceAmount?: number;
  currency?: string;
  stock?: number;
  status?: ProductStatus;
  description?: string;
  images?: string[];
}

/** A problem with one row, by its line in the file. */
export interface RowError {
  line: number;
  column?: CatalogCsvColumn;
  reason: string;
}

const integer = (schema: z.ZodType<number, number>) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number (prices in minor units: 1299 for 12.99)')
    .transform(Number)
    .pipe(schema);

const CELL_SCHEMAS: Record<CatalogCsvColumn, z.ZodType<unknown>> = {
  slug: z.string().trim().pipe(SlugSchema),
  name: text(200, 1),
  category: z.string().trim().pipe(SlugSchema),
  price_amount: integer(AmountSchema),
  currency: z.string().trim().pipe(CurrencySchema),
  stock: integer(StockSchema),
  status: z.string().trim().pipe(ProductStatusSchema),
  description: text(5000, 0, true),
  images: z
    .string()
    .transform((cell) => cell.split(/\s+/).filter(Boolean))
    .pipe(ImagesSchema),
};

const FIELD_OF: Record<CatalogCsvColumn, keyof ImportValues> = {
  slug: 'slug',
  name: 'name',
  category: 'category',
  price_amount: 'priceAmount',
  currency: 'currency',
  stock: 'stock',
  status: 'status',
  description: 'description',
  images: 'images',
};

/**
 * A row's values, or what is wrong with it (every bad cell named).
 * @example checkRow({ line: 2, cells: { slug: 'kettle', price_amount: '2999' }, extraCells: 0 })
 */
export function checkRow(row: CatalogCsvRow): { values: ImportValues } | { errors: RowError[] } {
  const errors: RowError[] = [];
  if (row.extraCells > 0) {
    errors.push({
      line: row.line,
      reason: `has ${row.extraCells} more cell(s) than the header has columns (an unquoted comma?)`,
    });
  }
  const values: Partial<Record<keyof ImportValues, unknown>> = {};
  for (const [column, raw] of Object.entries(row.cells) as [CatalogCsvColumn, string][]) {
    const checked = CELL_SCHEMAS[column].safeParse(restoreCell(raw));
    if (checked.success) values[FIELD_OF[column]] = checked.data;
    else
      errors.push({
        line: row.line,
        column,
        reason: checked.error.issues[0]?.message ?? 'is not valid',
      });
  }
  if (errors.length > 0) return { errors };
  return { values: values as unknown as ImportValues };
}

/** What importing one row does to the catalog. */
export type RowPlan =
  | { kind: 'create'; line: number; values: ImportValues }
  | {
      kind: 'update';
      line: number;
      values: ImportValues;
      product: Product;
      changes: ProductChanges;
    }
  | { kind: 'unchanged'; line: number; product: Product };

/** What the row would change on `current` (null: a new product), or why it cannot. */
export function planRow(
  line: number,
  values: ImportValues,
  current: Product | null,
  categories: ReadonlySet<string>,
  catalogCurrency: string,
): RowPlan | RowError[] {
  const errors: RowError[] = [];
  if (values.category !== undefined && !categories.has(values.category)) {
    errors.push({ line, column: 'category', reason: 'is not a category of the catalog' });
  }
  if (values.currency !== undefined && values.currency !== catalogCurrency) {
    errors.push({ line, column: 'currency', reason: `must be ${catalogCurrency}` });
  }
  if (!current) {
    for (const [column, field] of [
      ['name', 'name'],
      ['category', 'category'],
      ['price_amount', 'priceAmount'],
    ] as const) {
      if (values[field] === undefined) {
        errors.push({ line, column, reason: 'is needed for a new product' });
      }
    }
  }
  if (errors.length > 0) return errors;
  if (!current) return { kind: 'create', line, values };
  const changes: ProductChanges = {};
  const set = <K extends keyof ProductChanges>(field: K, value: ProductChanges[K] | undefined) => {
    if (value === undefined) return;
    const before = current[field as keyof Product];
    const same = Array.isArray(value)
      ? JSON.stringify(value) === JSON.stringify(before)
      : value === before;
    if (!same) changes[field] = value;
  };
  set('name', values.name);
  set('category', values.category);
  set('priceAmount', values.priceAmount);
  set('stock', values.stock);
  set('status', values.status);
  set('description', values.description);
  set('images', values.images);
  return Object.keys(changes).length === 0
    ? { kind: 'unchanged', line, product: current }
    : { kind: 'update', line, values, product: current, changes };
}

interface ProductRowBySlug {
  id: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  price_amount: number;
  currency: string;
  images: string[];
  stock: number;
  status: ProductStatus;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const toProduct = (row: ProductRowBySlug): Product => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  description: row.description,
  category: row.category,
  priceAmount: row.price_amount,
  currency: row.currency,
  images: row.images,
  stock: row.stock,
  status: row.status,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The products of these slugs (archived ones too); `lock` holds their rows until commit. */
async function productsBySlug(
  db: Queryable,
  slugs: string[],
  lock: boolean,
): Promise<Map<string, Product>> {
  const found = new Map<string, Product>();
  for (let i = 0; i < slugs.length; i += 1000) {
    const { rows } = await db.query<ProductRowBySlug>(
      `SELECT id, slug, name, description, category, price_amount, currency, images, stock,
              status, version, created_at, updated_at
       FROM offer.product WHERE slug = ANY($1::text[]) ORDER BY slug ${lock ? 'FOR UPDATE' : ''}`,
      [slugs.slice(i, i + 1000)],
    );
    for (const row of rows) found.set(row.slug, toProduct(row));
  }
  return found;
}

/**
 * A page of every product (archived too, or of one status) in id order, after `after`: the
 * export reads the catalog with it.
 */
export async function listAllProducts(
  db: Queryable,
  page: { after: string | null; limit: number; status?: ProductStatus | undefined },
): Promise<Product[]> {
  const { rows } = await db.query<ProductRowBySlug>(
    `SELECT id, slug, name, description, category, price_amount, currency, images, stock,
            status, version, created_at, updated_at
     FROM offer.product
     WHERE ($1::uuid IS NULL OR id > $1::uuid) AND ($2::text IS NULL OR status = $2)
     ORDER BY id LIMIT $3`,
    [page.after, page.status ?? null, page.limit],
  );
  return rows.map(toProduct);
}

/** What a file would do, row by row: the dry run's answer and the job's check before it starts. */
export interface ImportPreview {
  rows: number;
  create: number;
  update: number;
  unchanged: number;
  /** Rows with at least one error. */
  invalid: number;
  /** The first errors, by line. */
  errors: RowError[];
  /** The first changes, for the preview table. */
  changes: { line: number; slug: string; kind: 'create' | 'update'; fields: string[] }[];
  /** The checked rows, in file order (what a job applies). */
  checked: { line: number; values: ImportValues }[];
}

/**
 * Checks every row against the catalog as it is now, writing nothing.
 * @example const preview = await previewImport(db, parseCatalogCsv(text, MAX_IMPORT_ROWS), 'EUR');
 */
export async function previewImport(
  db: Queryable,
  rows: CatalogCsvRow[],
  catalogCurrency: string,
): Promise<ImportPreview> {
  const preview: ImportPreview = {
    rows: rows.length,
    create: 0,
    update: 0,
    unchanged: 0,
    invalid: 0,
    errors: [],
    changes: [],
    checked: [],
  };
  const report = (errors: RowError[]) => {
    preview.invalid += 1;
    for (const error of errors) {
      if (preview.errors.length < MAX_REPORTED_ERRORS) preview.errors.push(error);
    }
  };
  const valid: { line: number; values: ImportValues }[] = [];
  const firstLineOf = new Map<string, number>();
  for (const row of rows) {
    const checked = checkRow(row);
    if ('errors' in checked) {
      report(checked.errors);
      continue;
    }
    const earlier = firstLineOf.get(checked.values.slug);
    if (earlier !== undefined) {
      report([{ line: row.line, column: 'slug', reason: `is on line ${earlier} already` }]);
      continue;
    }
    firstLineOf.set(checked.values.slug, row.line);
    valid.push({ line: row.line, values: checked.values });
  }
  const categories = new Set((await listCategories(db)).map((category) => category.slug));
  const current = await productsBySlug(
    db,
    valid.map((row) => row.values.slug),
    false,
  );
  for (const row of valid) {
    const plan = planRow(
      row.line,
      row.values,
      current.get(row.values.slug) ?? null,
      categories,
      catalogCurrency,
    );
    if (Array.isArray(plan)) {
      report(plan);
      continue;
    }
    preview[plan.kind] += 1;
    preview.checked.push(row);
    if (plan.kind !== 'unchanged' && preview.changes.length < 50) {
      preview.changes.push({
        line: plan.line,
        slug: row.values.slug,
        kind: plan.kind,
        fields: plan.kind === 'update' ? Object.keys(plan.changes) : [],
      });
    }
  }
  return preview;
}

/** An import job as staff see it. */
export interface ImportJob {
  id: string;
  status: 'pending' | 'running' | 'done';
  fileName: string | null;
  totalRows: number;
  processedRows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: RowError[];
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
}

interface JobRow {
  id: string;
  status: ImportJob['status'];
  file_name: string | null;
  total_rows: number;
  processed_rows: number;
  created_count: number;
  updated_count: number;
  unchanged_count: number;
  failed_count: number;
  errors: RowError[];
  created_by: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const JOB_COLUMNS = `id, status, file_name, total_rows, processed_rows, created_count, updated_count,
  unchanged_count, failed_count, errors, created_by, created_at, finished_at`;

const toJob = (row: JobRow): ImportJob => ({
  id: row.id,
  status: row.status,
  fileName: row.file_name,
  totalRows: row.total_rows,
  processedRows: row.processed_rows,
  created: row.created_count,
  updated: row.updated_count,
  unchanged: row.unchanged_count,
  failed: row.failed_count,
  errors: row.errors,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  finishedAt: row.finished_at?.toISOString() ?? null,
});

/**
 * Records a job of checked rows (one statement for the rows, however many).
 * @example const job = await createImportJob(db, { rows: preview.checked, fileName: 'catalog.csv', createdBy, now });
 */
export async function createImportJob(
  db: Database,
  input: {
    rows: { line: number; values: ImportValues }[];
    fileName: string | null;
    createdBy: string | null;
    now: Date;
  },
): Promise<ImportJob> {
  const id = newId();
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<JobRow>(
      `INSERT INTO offer.catalog_import (id, status, file_name, total_rows, created_by, created_at, updated_at)
       VALUES ($1, 'pending', $2, $3, $4, $5, $5) RETURNING ${JOB_COLUMNS}`,
      [id, input.fileName, input.rows.length, input.createdBy, input.now],
    );
    await tx.query(
      `INSERT INTO offer.catalog_import_row (import_id, position, line, data)
       SELECT $1, (row ->> 'position')::int, (row ->> 'line')::int, row -> 'values'
       FROM jsonb_array_elements($2::jsonb) AS row`,
      [
        id,
        JSON.stringify(
          input.rows.map((row, position) => ({ position, line: row.line, values: row.values })),
        ),
      ],
    );
    return toJob(rows[0] as JobRow);
  });
}

/** A job by id, or null. */
export async function findImportJob(db: Queryable, id: string): Promise<ImportJob | null> {
  const { rows } = await db.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM offer.catalog_import WHERE id = $1`,
    [id],
  );
  return rows[0] ? toJob(rows[0]) : null;
}

/** The latest jobs, newest first. */
export async function listImportJobs(db: Queryable, limit: number): Promise<ImportJob[]> {
  const { rows } = await db.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM offer.catalog_import ORDER BY created_at DESC, id DESC LIMIT $1`,
    [limit],
  );
  return rows.map(toJob);
}

/** Applies one checked row inside the chunk's transaction; its outcome, or its error. */
async function applyRow(
  tx: Queryable,
  row: { line: number; values: ImportValues },
  current: Product | null,
  context: {
    categories: ReadonlySet<string>;
    catalogCurrency: string;
    by: string | null;
    now: Date;
  },
): Promise<'created' | 'updated' | 'unchanged' | RowError[]> {
  const plan = planRow(row.line, row.values, current, context.categories, context.catalogCurrency);
  if (Array.isArray(plan)) return plan;
  if (plan.kind === 'unchanged') return 'unchanged';
  const { by, now } = context;
  if (plan.kind === 'create') {
    const v = plan.values;
    const created = await insertProduct(tx, {
      id: newId(),
      slug: v.slug,
      name: v.name as string,
      description: v.description ?? '',
      category: v.category as string,
      priceAmount: v.priceAmount as number,
      currency: context.catalogCurrency,
      images: v.images ?? [],
      stock: v.stock ?? 0,
      status: v.status ?? 'active',
      createdAt: now,
      updatedAt: now,
    });
    if (!created) throw new Error('insert returned no row');
    await events.write(tx, buildCreatedEvent(created, by));
    await events.write(
      tx,
      buildPriceChangedEvent({
        productId: created.id,
        slug: created.slug,
        previousPrice: null,
        price: { amount: created.priceAmount, currency: created.currency },
        changedBy: by,
        changedAt: now,
      }),
    );
    if (created.status === 'archived') await events.write(tx, buildStatusEvent(created, by));
    return 'created';
  }
  const before = plan.product;
  const after = await updateProduct(tx, before.id, before.version, plan.changes, now);
  // The row is locked for the chunk: its version cannot have moved.
  if (!after) throw new Error(`product ${before.id} changed under its lock`);
  for (const event of buildEditEvents(before, after, by)) await events.write(tx, event);
  if (before.priceAmount !== after.priceAmount) {
    await events.write(
      tx,
      buildPriceChangedEvent({
        productId: after.id,
        slug: after.slug,
        previousPrice: { amount: before.priceAmount, currency: before.currency },
        price: { amount: after.priceAmount, currency: after.currency },
        changedBy: by,
        changedAt: now,
      }),
    );
  }
  if (before.status !== after.status) await events.write(tx, buildStatusEvent(after, by));
  return 'updated';
}

/**
 * Applies the next chunk of the oldest unfinished job no other instance is working on; false
 * when there was none. The chunk, the job's counts and its position commit together.
 */
export async function runImportChunk(
  db: Database,
  options: { catalogCurrency: string; clock: () => Date; chunkRows?: number },
): Promise<{ jobId: string; applied: number; events: boolean } | null> {
  const chunkRows = options.chunkRows ?? IMPORT_CHUNK_ROWS;
  return db.transaction(async (tx) => {
    const { rows: jobs } = await tx.query<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM offer.catalog_import
       WHERE status IN ('pending', 'running') ORDER BY created_at, id
       LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    const job = jobs[0];
    if (!job) return null;
    const { rows } = await tx.query<{ position: number; line: number; data: ImportValues }>(
      `SELECT position, line, data FROM offer.catalog_import_row
       WHERE import_id = $1 AND position >= $2 ORDER BY position LIMIT $3`,
      [job.id, job.processed_rows, chunkRows],
    );
    const now = options.clock();
    const categories = new Set((await listCategories(tx)).map((category) => category.slug));
    const current = await productsBySlug(
      tx,
      rows.map((row) => row.data.slug),
      true,
    );
    const counts = { created: 0, updated: 0, unchanged: 0, failed: 0 };
    const errors: RowError[] = [];
    let wroteEvents = false;
    for (const row of rows) {
      // A row the catalog refuses now (a category removed, a slug taken since the check) is
      // reported and skipped; the savepoint keeps the chunk's other rows.
      await tx.query('SAVEPOINT import_row');
      let outcome: Awaited<ReturnType<typeof applyRow>>;
      try {
        outcome = await applyRow(
          tx,
          { line: row.line, values: row.data },
          current.get(row.data.slug) ?? null,
          {
            categories,
            catalogCurrency: options.catalogCurrency,
            by: job.created_by,
            now,
          },
        );
        await tx.query('RELEASE SAVEPOINT import_row');
      } catch (error) {
        await tx.query('ROLLBACK TO SAVEPOINT import_row');
        outcome = [{ line: row.line, reason: `was refused: ${(error as Error).message}` }];
      }
      if (Array.isArray(outcome)) {
        counts.failed += 1;
        errors.push(...outcome);
      } else {
        counts[outcome] += 1;
        if (outcome !== 'unchanged') wroteEvents = true;
      }
    }
    const processed = job.processed_rows + rows.length;
    const finished = processed >= job.total_rows;
    await tx.query(
      `UPDATE offer.catalog_import SET
         status = $2, processed_rows = $3,
         created_count = created_count + $4, updated_count = updated_count + $5,
         unchanged_count = unchanged_count + $6, failed_count = failed_count + $7,
         errors = (errors || $8::jsonb),
         updated_at = $9, finished_at = CASE WHEN $2 = 'done' THEN $9::timestamptz END
       WHERE id = $1`,
      [
        job.id,
        finished ? 'done' : 'running',
        processed,
        counts.created,
        counts.updated,
        counts.unchanged,
        counts.failed,
        JSON.stringify(errors.slice(0, Math.max(0, MAX_REPORTED_ERRORS - job.errors.length))),
        now,
      ],
    );
    // A finished job's rows are no longer needed; its counts and errors stay.
    if (finished)
      await tx.query('DELETE FROM offer.catalog_import_row WHERE import_id = $1', [job.id]);
    return { jobId: job.id, applied: rows.length, events: wroteEvents };
  });
}

export interface CatalogImportWorker {
  /** Runs the jobs now (a new one was just recorded); resolves when none is left. */
  kick(): Promise<void>;
  /** Looks for unfinished jobs every interval (one an instance left behind), until stopped. */
  start(): void;
  stop(): Promise<void>;
}

/**
 * The worker that applies import jobs, one chunk at a time, in the background of the function.
 * @example const worker = createCatalogImportWorker({ db, log, catalogCurrency: 'EUR', onEventsRecorded }); worker.start();
 */
export function createCatalogImportWorker(options: {
  db: Database;
  log: Logger;
  catalogCurrency: string;
  onEventsRecorded: () => void;
  clock?: () => Date;
  intervalMs?: number;
  chunkRows?: number;
}): CatalogImportWorker {
  const clock = options.clock ?? (() => new Date());
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const drain = async () => {
    do {
      again = false;
      for (;;) {
        if (stopped) return;
        const chunk = await runImportChunk(options.db, {
          catalogCurrency: options.catalogCurrency,
          clock,
          ...(options.chunkRows && { chunkRows: options.chunkRows }),
        });
        if (!chunk) break;
        if (chunk.events) options.onEventsRecorded();
      }
    } while (again);
  };

  const kick = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = drain()
      .catch((error: unknown) => options.log.error({ err: error }, 'a catalog import chunk failed'))
      .finally(() => {
        running = null;
      });
    return running;
  };

  return {
    kick,
    start() {
      void kick();
      timer = setInterval(() => void kick(), options.intervalMs ?? 10_000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
