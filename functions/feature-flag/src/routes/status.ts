// GET /api/feature-flag/status — the function's first route: what it knows about itself
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceEnv } from '@shop/shared';
import type { FeatureFlagDeps } from '../deps.js';

const StatusSchema = z
  .object({
    service: z.literal('feature-flag'),
    time: z.iso.datetime().openapi({ example: '2026-01-01T00:00:00.000Z' }),
  })
  .openapi('FeatureFlagStatus');

const statusRoute = createRoute({
  method: 'get',
  path: '/api/feature-flag/status',
  summary: 'The service name and its clock',
  responses: {
    200: { description: 'Up', content: { 'application/json': { schema: StatusSchema } } },
  },
});

/** Registers the status route. */
export function registerStatusRoutes(app: OpenAPIHono<ServiceEnv>, deps: FeatureFlagDeps): void {
  app.openapi(statusRoute, (c) =>
    c.json({ service: 'feature-flag' as const, time: deps.clock().toISOString() }, 200),
  );
}
