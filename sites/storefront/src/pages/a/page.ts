// POST /a/page — the page-view beacon of a browser with JavaScript (`navigator.sendBeacon`,
// text/plain JSON `{ url, title, referrer }`): recorded as a Segment page call, 204 always.
import type { APIRoute } from 'astro';
import { pageCall } from '../../server/analytics.js';
import { beaconBody, pageSeen } from '../../server/page-views.js';

export const POST: APIRoute = async ({ locals, request }) => {
  const { shop } = locals;
  const { analytics, config } = shop.runtime;
  const body = analytics.enabled ? await beaconBody(request) : undefined;
  const page = body && pageSeen(config.publicOrigin, body);
  if (page) analytics.record(pageCall(shop.visitor(), page));
  return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
};
