// POST /events: the catalog's events from the broker (src/server/catalog-events.ts). The
// middleware leaves this path alone: no session, no CSRF form; the sender's OIDC token is the
// proof, checked before the event is read.
import type { APIRoute } from 'astro';
import { getRuntime } from '../server/runtime.js';

export const prerender = false;

export const POST: APIRoute = ({ request }) => getRuntime().events.fetch(request);
