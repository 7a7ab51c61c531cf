import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offer } from './main.js';
import { createTestbed, type Testbed } from './testing/fixtures.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed?.cleanup());

interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}

describe('offer app', () => {
  it('serves an OpenAPI 3.1 document listing every route', async () => {
    const res = await bed.app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDoc;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('offer');
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /api/offers',
        'GET /api/offers/{idOrSlug}',
        'GET /api/categories',
        'GET /api/admin/offers',
        'POST /api/admin/offers',
        'GET /api/admin/offers/{id}',
        'PATCH /api/admin/offers/{id}',
        'PUT /api/admin/offers/{id}/price',
        'POST /api/admin/offers/{id}/archive',
        'POST /api/admin/offers/{id}/unarchive',
        'GET /api/admin/offers/{id}/stock-adjustments',
        'POST /api/admin/offers/{id}/stock-adjustments',
        'GET /api/admin/catalog/export',
        'GET /api/admin/catalog/imports',
        'POST /api/admin/catalog/imports',
        'GET /api/admin/catalog/imports/{id}',
        'POST /internal/stock/reservations',
        'POST /internal/stock/reservations/{orderId}/release',
        'POST /internal/stock/reservations/{orderId}/commit',
      ].sort(),
    );
    for (const methods of Object.values(doc.paths)) {
      for (const operation of Object.values(methods)) {
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
      }
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Offer', 'OfferPage', 'Category', 'Problem', 'NewOffer', 'Price']),
    );
  });

  it('answers health, readiness and metrics', async () => {
    expect((await bed.app.request('/healthz')).status).toBe(200);
    const ready = await bed.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { database: 'ok' } });
    await bed.app.request('/api/offers');
    const metrics = await (await bed.app.request('/metrics')).text();
    expect(metrics).toMatch(
      /http_server_request_duration_seconds_count\{[^}]*http_request_method="GET",http_route="\/api\/offers"/,
    );
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await bed.app.request('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('applies no migration the second time', async () => {
    const again = await offer.applyMigrations(bed.db);
    expect(again.applied).toEqual([]);
    const files = readdirSync(offer.migrations.dir).filter((file) => file.endsWith('.sql'));
    expect(again.alreadyApplied).toBe(files.length);
    const { rows } = await bed.db.query<{ version: number }>(
      'SELECT version FROM offer.schema_migrations ORDER BY version',
    );
    expect(rows.map((row) => row.version)).toEqual(files.map((_, i) => i + 1));
  });
});
