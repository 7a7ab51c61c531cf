import {
  headerValue,
  isInstrumented,
  Problem,
  requestHeaders,
  type ServiceEnv,
} from '@shop/shared';
import type { Handler } from 'hono';
import { endToEndHeaders, forward } from '../../forward.js';
import { requestTarget } from '../../request-target.js';
import { matchRoute, type UpstreamName } from '../../routes-table.js';
import { nextTraceContext } from '../../trace-context.js';
import type { AuthenticationEnv } from '../authentication/index.js';
import type { ClientAddressEnv } from '../client-address/index.js';
import type { ResponseHeadersEnv } from '../response-headers/index.js';

export interface ProxyOptions {
  /** Base URL of each upstream function. */
  upstreams: Record<UpstreamName, string>;
  /** Time the upstream has to accept the connection, and again to answer with its headers. */
  timeoutMs: number;
  /** Proxies in front whose X-Forwarded-* fields are kept (0: trust only the socket). */
  trustedProxyHops: number;
}

/** Request fields never sent upstream as they came (the gateway sets or drops them). */
function isReplaced(name: string): boolean {
  // Identity travels only as the access token (Authorization, forwarded untouched), which each
  // function verifies itself; x-shop-* fields are dropped so no upstream ever sees one.
  return name.startsWith('x-shop-') || name === 'host' || name === 'accept-encoding';
}

/**
 * Forwards the request, streamed, to the upstream that owns its raw path (`matchRoute`; none: a
 * 404 problem), path and query unchanged. Upstream it carries the client's `Authorization`
 * untouched (each function verifies the token itself; no `x-shop-*` field), the request id, a W3C trace
 * context and `X-Forwarded-For`/`-Proto`/`-Host`; the answer comes back with the response
 * headers merged in (see `responseHeaders`). See {@link forward} for bodies and failures.
 * @example app.all('*', proxy({ upstreams, timeoutMs: 10_000, trustedProxyHops: 1 }));
 */
export function proxy(
  options: ProxyOptions,
): Handler<ServiceEnv & AuthenticationEnv & ResponseHeadersEnv & ClientAddressEnv> {
  const { upstreams, timeoutMs, trustedProxyHops } = options;
  return async (c) => {
    const url = requestTarget(c.req.url);
    const route = matchRoute(url.path);
    if (!route) throw new Problem(404, `No route for ${c.req.method} ${url.path}.`);
    const incoming = requestHeaders(c);
    const headers = endToEndHeaders(incoming, isReplaced);
    const requestId = c.get('requestId');
    headers['x-request-id'] = requestId;
    if (isInstrumented()) {
      // The undici instrumentation sends the forwarding span's context (a child of the
      // server span, itself continued from the client's traceparent when valid).
      delete headers.traceparent;
      delete headers.tracestate;
    } else {
      const trace = nextTraceContext(
        headerValue(incoming, 'traceparent'),
        headerValue(incoming, 'tracestate'),
      );
      headers.traceparent = trace.traceparent;
      if (trace.tracestate) headers.tracestate = trace.tracestate;
      else delete headers.tracestate;
    }
    const trusted = trustedProxyHops > 0;
    // Exactly the one address the gateway believes, never the chain a client could have begun:
    // the functions behind take X-Forwarded-For's first entry for the client's.
    headers['x-forwarded-for'] = c.get('clientAddress');
    headers['x-forwarded-proto'] =
      (trusted ? headerValue(incoming, 'x-forwarded-proto') : undefined) ?? url.scheme;
    headers['x-forwarded-host'] =
      (trusted ? headerValue(incoming, 'x-forwarded-host') : undefined) ?? url.host;
    const base = upstreams[route.upstream].replace(/\/+$/, '');
    const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    const res = await forward({
      upstream: route.upstream,
      url: `${base}${url.path}${url.search}`,
      method: c.req.method,
      headers,
      body: hasBody ? c.req.raw.body : null,
      timeoutMs,
      signal: c.req.raw.signal,
      log: c.get('log'),
      responseHeaders: [...c.get('responseHeaders'), { 'x-request-id': requestId }],
    });
    c.set('responseHeadersMerged', true);
    return res;
  };
}
