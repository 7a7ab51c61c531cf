import { headerValue, requestHeaders } from '@shop/shared';
import type { Context } from 'hono';

/** The socket's peer address on @hono/node-server; undefined under app.request(). */
export function socketAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/**
 * The client's address: the `X-Forwarded-For` entry the first of `trustedHops` proxies
 * appended, else the socket's peer.
 * @example const ip = clientAddress(c, 1); // behind the Istio ingress gateway
 */
export function clientAddress(c: Context, trustedHops: number): string {
  if (trustedHops > 0) {
    const hops = (headerValue(requestHeaders(c), 'x-forwarded-for') ?? '')
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    const entry = hops[hops.length - trustedHops];
    if (entry) return entry;
  }
  return socketAddress(c) ?? 'unknown';
}
