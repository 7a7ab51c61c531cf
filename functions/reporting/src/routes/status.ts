// GET /api/reporting/status — the function's first route: what it knows about itself
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceEnv } from '@shop/shared';
import type { ReportingDeps } from '../deps.js';

const StatusSchema = z
  .object({
    service: z.literal('reporting'),
    time: z.iso.datetime().openapi({ example: '2026-01-01T00:00:00.000Z' }),
  })
  .openapi('ReportingStatus');

const statusRoute = createRoute({
  method: 'get',
  path: '/api/reporting/status',
  summary: 'The service name and its clock',
  responses: {
    200: { description: 'Up', content: { 'application/json': { schema: StatusSchema } } },
  },
});

/** Registers the status route. */
export function registerStatusRoutes(app: OpenAPIHono<ServiceEnv>, deps: ReportingDeps): void {
  app.openapi(statusRoute, (c) =>
    c.json({ service: 'reporting' as const, time: deps.clock().toISOString() }, 200),
  );
}
