// GET /sitemap.xml — generated from the catalog through the gateway
import type { APIRoute } from 'astro';
import { getRuntime } from '../server/runtime.js';
import { catalogPages, renderSitemap } from '../server/sitemap.js';

export const GET: APIRoute = async () => {
  const { gateway, config } = getRuntime();
  const pages = await catalogPages(gateway, config.sitemapMaxProducts);
  return new Response(renderSitemap(config.publicOrigin, pages), {
    headers: {
      'content-type': 'application/xml; charset=utf-8',
      'cache-control': 'public, max-age=600',
    },
  });
};
