// GET /robots.txt — crawl the catalog, not the carts, accounts or forms
import type { APIRoute } from 'astro';
import { getRuntime } from '../server/runtime.js';

export const GET: APIRoute = () => {
  const { publicOrigin } = getRuntime().config;
  const disallowed = [
    '/cart',
    '/checkout',
    '/orders/',
    '/account',
    '/signin',
    '/signup',
    '/search?',
  ];
  const lines = [
    'User-agent: *',
    ...disallowed.flatMap((path) => [`Disallow: ${path}`, `Disallow: /de${path}`]),
    '',
    `Sitemap: ${publicOrigin}/sitemap.xml`,
    '',
  ];
  return new Response(lines.join('\n'), {
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    },
  });
};
