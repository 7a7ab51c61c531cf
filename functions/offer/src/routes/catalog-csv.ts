// /api/admin/catalog — the catalog as CSV: export every product, import a file (a dry run that
// changes nothing, then a job applied in the background with its progress).
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { Problem, requirePermission, type ServiceEnv } from '@shop/shared';
import {
  createImportJob,
  findImportJob,
  type ImportPreview,
  listAllProducts,
  listImportJobs,
  MAX_IMPORT_ROWS,
  previewImport,
} from '../catalog-import.js';
import type { OfferDeps } from '../deps.js';
import { CatalogCsvError, csvHeader, csvLine, parseCatalogCsv } from '../domain/catalog-csv.js';
import type { Product } from '../domain/product.js';
import { IdSchema, ProductStatusSchema, problem, text } from './schemas.js';

/** The largest file an import takes, in characters (10,000 products are about 3 MB). */
export const MAX_IMPORT_CHARS = 12 * 1024 * 1024;

const ImportBody = z
  .strictObject({
    /** The file's text, as read in the browser. */
    csv: z.string().min(1).max(MAX_IMPORT_CHARS),
    fileName: text(200).optional(),
    /** Check only: nothing is written. */
    dryRun: z.boolean().default(false),
  })
  .openapi('CatalogImport');

const RowErrorSchema = z.object({
  line: z.int(),
  column: z.string().optional(),
  reason: z.string(),
});

const PreviewSchema = z
  .object({
    rows: z.int(),
    create: z.int(),
    update: z.int(),
    unchanged: z.int(),
    invalid: z.int(),
    errors: z.array(RowErrorSchema),
    changes: z.array(
      z.object({
        line: z.int(),
        slug: z.string(),
        kind: z.enum(['create', 'update']),
        fields: z.array(z.string()),
      }),
    ),
  })
  .openapi('CatalogImportPreview');

const JobSchema = z
  .object({
    id: z.string(),
    status: z.enum(['pending', 'running', 'done']),
    fileName: z.string().nullable(),
    totalRows: z.int(),
    processedRows: z.int(),
    created: z.int(),
    updated: z.int(),
    unchanged: z.int(),
    failed: z.int(),
    errors: z.array(RowErrorSchema),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('CatalogImportJob');

const staffProblems = {
  401: problem('No valid access token'),
  403: problem('The caller is not staff, or lacks the permission'),
};

const exportCatalog = createRoute({
  method: 'get',
  path: '/api/admin/catalog/export',
  tags: ['staff'],
  summary: 'Every product as CSV (formula-safe; imports back unchanged)',
  request: { query: z.object({ status: ProductStatusSchema.optional() }) },
  responses: {
    200: { description: 'text/csv', content: { 'text/csv': { schema: z.string() } } },
    ...staffProblems,
  },
});

const startImport = createRoute({
  method: 'post',
  path: '/api/admin/catalog/imports',
  tags: ['staff'],
  summary: 'Check a CSV file (dryRun) or import it as a job, matched by slug',
  request: {
    body: { required: true, content: { 'application/json': { schema: ImportBody } } },
  },
  responses: {
    200: {
      description: 'The dry run: what the file would do',
      content: { 'application/json': { schema: PreviewSchema } },
    },
    202: {
      description: 'The job, applied in the background',
      content: { 'application/json': { schema: JobSchema } },
    },
    400: problem('Not a CSV file of products (the problem names the line)'),
    422: problem('Rows with errors: nothing is imported (the problem has the preview)'),
    ...staffProblems,
  },
});

const listImports = createRoute({
  method: 'get',
  path: '/api/admin/catalog/imports',
  tags: ['staff'],
  summary: 'The latest import jobs',
  responses: {
    200: {
      description: 'Newest first',
      content: { 'application/json': { schema: z.object({ items: z.array(JobSchema) }) } },
    },
    ...staffProblems,
  },
});

const getImport = createRoute({
  method: 'get',
  path: '/api/admin/catalog/imports/{id}',
  tags: ['staff'],
  summary: 'One import job and its progress',
  request: { params: z.object({ id: IdSchema.openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    200: { description: 'The job', content: { 'application/json': { schema: JobSchema } } },
    404: problem('No such job'),
    ...staffProblems,
  },
});

const presentPreview = ({ checked: _checked, ...preview }: ImportPreview) => preview;

/** Registers the CSV routes; `onImportQueued` wakes the worker that applies jobs. */
export function registerCatalogCsvRoutes(
  app: OpenAPIHono<ServiceEnv>,
  deps: OfferDeps & { onImportQueued: () => void },
): void {
  const { db, clock, catalogCurrency } = deps;

  app.openapi(exportCatalog, (c) => {
    requirePermission(c, 'catalog:read');
    const { status } = c.req.valid('query');
    const encoder = new TextEncoder();
    let after: string | null = null;
    let started = false;
    // Pages of 1,000 by id, written as they are read: the file is never whole in memory.
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(csvHeader()));
          return;
        }
        const page: Product[] = await listAllProducts(db, { after, limit: 1000, status });
        if (page.length === 0) {
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(page.map(csvLine).join('')));
        after = page[page.length - 1]?.id ?? null;
      },
    });
    const day = clock().toISOString().slice(0, 10);
    return c.body(body, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="catalog-${day}.csv"`,
      'cache-control': 'no-store',
    });
  });

  app.openapi(startImport, async (c) => {
    const input = c.req.valid('json');
    // An import sets prices, texts and stock counts: both permissions.
    const by = requirePermission(c, 'catalog:write').userId;
    requirePermission(c, 'stock:adjust');
    let rows: ReturnType<typeof parseCatalogCsv>;
    try {
      rows = parseCatalogCsv(input.csv, MAX_IMPORT_ROWS);
    } catch (error) {
      if (!(error instanceof CatalogCsvError)) throw error;
      throw new Problem(400, error.message, {
        type: 'https://shop.example/problems/not-a-catalog-csv',
        ...(error.line !== undefined && { line: error.line }),
      });
    }
    const preview = await previewImport(db, rows, catalogCurrency);
    if (input.dryRun) return c.json(presentPreview(preview), 200);
    if (preview.invalid > 0) {
      throw new Problem(
        422,
        `${preview.invalid} row(s) have errors; nothing was imported. Fix them and import again.`,
        {
          type: 'https://shop.example/problems/import-rows-invalid',
          preview: presentPreview(preview),
        },
      );
    }
    const job = await createImportJob(db, {
      rows: preview.checked,
      fileName: input.fileName ?? null,
      createdBy: by,
      now: clock(),
    });
    deps.onImportQueued();
    return c.json(job, 202, { Location: `/api/admin/catalog/imports/${job.id}` });
  });

  app.openapi(listImports, async (c) => {
    requirePermission(c, 'catalog:read');
    return c.json({ items: await listImportJobs(db, 20) }, 200);
  });

  app.openapi(getImport, async (c) => {
    requirePermission(c, 'catalog:read');
    const job = await findImportJob(db, c.req.valid('param').id);
    if (!job) throw new Problem(404, 'No such import job.');
    return c.json(job, 200);
  });
}
