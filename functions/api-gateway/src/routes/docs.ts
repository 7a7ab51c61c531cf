// GET /openapi.json, /docs, /docs/:file — the merged API document and its reference page
import { Problem } from '@shop/shared';
import { Hono } from 'hono';
import { createDocsAssets, docsPage } from '../docs-page.js';
import type { OpenApiDocument } from '../openapi.js';

/**
 * The merged `/openapi.json` of every upstream and the Swagger UI page that renders it, its
 * files served by the gateway itself.
 * @example app.route('/', docsRoutes(createOpenApiAggregator({ upstreams, timeoutMs, cacheSeconds })));
 */
export function docsRoutes(openApi: { document(): Promise<OpenApiDocument> }): Hono {
  const docsAssets = createDocsAssets();
  const app = new Hono();
  app.get('/openapi.json', async (c) => c.json(await openApi.document()));
  app.get('/docs', (c) => c.html(docsPage('/openapi.json')));
  app.get('/docs/:file', async (c) => {
    const asset = await docsAssets.get(c.req.param('file'));
    if (!asset) throw new Problem(404, `No route for GET ${c.req.path}.`);
    return c.body(asset.body, 200, {
      'content-type': asset.contentType,
      'cache-control': 'public, max-age=86400',
    });
  });
  return app;
}
