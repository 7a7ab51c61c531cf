// GET /api/attribution/status — the function's first route: what it knows about itself
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceEnv } from '@shop/shared';
import type { AttributionDeps } from '../deps.js';

const StatusSchema = z
  .object({
    service: z.literal('attribution'),
    time: z.iso.datetime().openapi({ example: '2026-01-01T00:00:00.000Z' }),
  })
  .openapi('AttributionStatus');

const statusRoute = createRoute({
  method: 'get',
  path: '/api/attribution/status',
  summary: 'The service name and its clock',
  responses: {
    200: { description: 'Up', content: { 'application/json': { schema: StatusSchema } } },
  },
});

/** Registers the status route. */
export function registerStatusRoutes(app: OpenAPIHono<ServiceEnv>, deps: AttributionDeps): void {
  app.openapi(statusRoute, (c) =>
    c.json({ service: 'attribution' as const, time: deps.clock().toISOString() }, 200),
  );
}
