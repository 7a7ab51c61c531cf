// ALL /api/admin/* — the island's calls, passed on to the gateway with the session's bearer
// token (the middleware already checked the session, the origin and the CSRF header)
import type { APIRoute } from 'astro';
import {
  BodyTooLargeError,
  GatewayUnavailableError,
  isProxiedPath,
} from '../../../server/gateway.js';
import { problemResponse } from '../../../server/problem.js';

export const ALL: APIRoute = async ({ request, locals }) => {
  const { admin } = locals;
  const url = new URL(request.url);
  if (!isProxiedPath(url.pathname)) return problemResponse(400, 'Not a path of the admin API.');
  const { config, gateway } = admin.runtime;
  // A catalog file is the one body of a few MB; every other call keeps the small limit.
  const maxBodyBytes =
    url.pathname === '/api/admin/catalog/imports'
      ? config.importMaxBodyBytes
      : config.proxyMaxBodyBytes;
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBodyBytes) {
    return problemResponse(413, `The body is over ${maxBodyBytes} bytes.`);
  }
  const accessToken = admin.auth?.accessToken;
  if (!accessToken) return problemResponse(401, admin.t('sessionEnded'));
  try {
    return await gateway.forward(request, `${url.pathname}${url.search}`, accessToken, {
      maxBodyBytes,
    });
  } catch (error) {
    if (error instanceof GatewayUnavailableError) {
      return new Response(
        JSON.stringify({
          title: 'Service Unavailable',
          status: 503,
          detail: admin.t('unavailable'),
        }),
        {
          status: 503,
          headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
        },
      );
    }
    if (error instanceof BodyTooLargeError) {
      return problemResponse(413, `The body is over ${maxBodyBytes} bytes.`);
    }
    throw error;
  }
};
