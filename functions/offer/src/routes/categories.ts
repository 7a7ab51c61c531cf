// GET /api/categories — the catalog's categories with their numbers of active products
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceEnv } from '@shop/shared';
import type { OfferDeps } from '../deps.js';
import { listCategories } from '../store.js';
import { CategorySchema } from './schemas.js';

const listCategoriesRoute = createRoute({
  method: 'get',
  path: '/api/categories',
  tags: ['catalog'],
  summary: 'All categories by name, with counts of active products',
  responses: {
    200: {
      description: 'The categories',
      content: {
        'application/json': {
          schema: z.object({ items: z.array(CategorySchema) }).openapi('CategoryList'),
        },
      },
    },
  },
});

/** Registers the public category routes. */
export function registerCategoryRoutes(app: OpenAPIHono<ServiceEnv>, deps: OfferDeps): void {
  app.openapi(listCategoriesRoute, async (c) => {
    return c.json({ items: await listCategories(deps.db) }, 200);
  });
}
