// GET /robots.txt — campaign pages may be crawled; the canonical URLs carry no visit parameters
import type { APIRoute } from 'astro';

export const prerender = false;

export const GET: APIRoute = () =>
  new Response(['User-agent: *', 'Allow: /', ''].join('\n'), {
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    },
  });
