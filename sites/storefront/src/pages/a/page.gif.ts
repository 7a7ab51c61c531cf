// GET /a/page.gif?u=&r=&t= — the page view of a browser without JavaScript: each page has this
// 1×1 image in a <noscript>, so a visitor is counted once either way (the beacon runs only with
// JavaScript). Answers the image, never cached.
import type { APIRoute } from 'astro';
import { pageCall } from '../../server/analytics.js';
import { pageSeen } from '../../server/page-views.js';

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export const GET: APIRoute = ({ locals, url }) => {
  const { shop } = locals;
  const { analytics, config } = shop.runtime;
  const page = pageSeen(config.publicOrigin, {
    url: url.searchParams.get('u') ?? undefined,
    title: url.searchParams.get('t') ?? undefined,
    referrer: url.searchParams.get('r') ?? undefined,
  });
  if (page && analytics.enabled) analytics.record(pageCall(shop.visitor(), page));
  return new Response(PIXEL, {
    status: 200,
    headers: { 'content-type': 'image/gif', 'cache-control': 'no-store' },
  });
};
