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
function forwardedEntries(value: string | null | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/**
 * The entry the farthest of `trustedHops` proxies appended to an X-Forwarded-For value, when it
 * is an IP address; else undefined (fewer entries than proxies, or no address).
 * @example trustedForwardedEntry('198.51.100.66, 203.0.113.9', 1) // '203.0.113.9'
 */
export function trustedForwardedEntry(
  value: string | null | undefined,
  trustedHops: number,
): string | undefined {
  const entries = forwardedEntries(value);
  const entry = trustedHops > 0 ? entries[entries.length - trustedHops] : undefined;
  return entry !== undefined && isIP(entry) !== 0 ? entry : undefined;
}

const forwardedFor = (c: Context) => headerValue(requestHeaders(c), 'x-forwarded-for');

/**
 * At the edge: the address the nearest of `trustedHops` proxies in front of us saw, else (no
 * trusted proxy, or a request that did not pass them) the socket's peer.
 * @example edgeClientAddress(c, 1) // 'X-Forwarded-For: 198.51.100.66, 203.0.113.9' → '203.0.113.9'
 */
export function edgeClientAddress(c: Context, trustedHops: number): string {
  return trustedForwardedEntry(forwardedFor(c), trustedHops) ?? socketAddress(c) ?? 'unknown';
}

/**
 * Behind the gateway: the address the gateway forwarded (X-Forwarded-For's first entry), else
 * the socket's peer (a caller that is not the gateway: tests, benches, the broker).
 * @example gatewayClientAddress(c) // 'X-Forwarded-For: 203.0.113.9, 127.0.0.1' → '203.0.113.9'
 */
export function gatewayClientAddress(c: Context): string {
  const first = forwardedEntries(forwardedFor(c))[0];
  return first !== undefined && isIP(first) !== 0 ? first : (socketAddress(c) ?? 'unknown');
}
