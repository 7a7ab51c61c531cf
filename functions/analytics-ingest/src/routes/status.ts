// GET /api/analytics-ingest/status — the function's first route: what it knows about itself
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceEnv } from '@shop/shared';
import type { AnalyticsIngestDeps } from '../deps.js';

const StatusSchema = z
  .object({
    service: z.literal('analytics-ingest'),
    time: z.iso.datetime().openapi({ example: '2026-01-01T00:00:00.000Z' }),
  })
  .openapi('AnalyticsIngestStatus');

const statusRoute = createRoute({
  method: 'get',
  path: '/api/analytics-ingest/status',
  summary: 'The service name and its clock',
  responses: {
    200: { description: 'Up', content: { 'application/json': { schema: StatusSchema } } },
  },
});

/** Registers the status route. */
export function registerStatusRoutes(
  app: OpenAPIHono<ServiceEnv>,
  deps: AnalyticsIngestDeps,
): void {
  app.openapi(statusRoute, (c) =>
    c.json({ service: 'analytics-ingest' as const, time: deps.clock().toISOString() }, 200),
  );
}
