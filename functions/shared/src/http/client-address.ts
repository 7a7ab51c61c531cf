// Whose request this is: the client's address, as far as it can be known, for rate limits and
// the hashed visitor of a click. Anyone can write an X-Forwarded-For header, so which entry to
// believe depends on where the function stands:
//
// - at the edge (the api-gateway), only the entries our own proxies appended count: the one the
//   nearest of `trustedHops` proxies wrote (Istio's ingress gateway: 1). What the client sent
//   before them is never believed. The gateway forwards exactly that one address, nothing else;
// - behind the gateway (auth, redirect: Istio lets only the gateway and the broker call them),
//   the first entry is the one the gateway wrote; what follows was appended on the way by
//   proxies that only append (Knative's queue-proxy and activator).
import { isIP } from 'node:net';
import type { Context } from 'hono';
import { headerValue, requestHeaders } from './request-headers.js';

/** The socket's peer address on @hono/node-server; undefined under app.request(). */
export function socketAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/** The entries of an X-Forwarded-For value, trimmed, empty ones dropped. */
function forwardedEntries(c: Context): string[] {
  return (headerValue(requestHeaders(c), 'x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

const addressOr = (entry: string | undefined, c: Context) =>
  entry !== undefined && isIP(entry) !== 0 ? entry : (socketAddress(c) ?? 'unknown');

/**
 * At the edge: the address the nearest of `trustedHops` proxies in front of us saw, else (no
 * trusted proxy, or a request that did not pass them) the socket's peer.
 * @example edgeClientAddress(c, 1) // 'X-Forwarded-For: 198.51.100.66, 203.0.113.9' → '203.0.113.9'
 */
export function edgeClientAddress(c: Context, trustedHops: number): string {
  if (trustedHops <= 0) return socketAddress(c) ?? 'unknown';
  const entries = forwardedEntries(c);
  return addressOr(entries[entries.length - trustedHops], c);
}

/**
 * Behind the gateway: the address the gateway forwarded (X-Forwarded-For's first entry), else
 * the socket's peer (a caller that is not the gateway: tests, benches, the broker).
 * @example gatewayClientAddress(c) // 'X-Forwarded-For: 203.0.113.9, 127.0.0.1' → '203.0.113.9'
 */
export function gatewayClientAddress(c: Context): string {
  return addressOr(forwardedEntries(c)[0], c);
}
