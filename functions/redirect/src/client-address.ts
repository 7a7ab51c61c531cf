// The visitor's address: the X-Forwarded-For entry the first of `trustedHops` proxies appended
// (the gateway appends its peer), else the socket's peer. Only ever hashed, never stored.
import { headerValue, requestHeaders } from '@shop/shared';
import type { Context } from 'hono';

/** @example clientAddress(c, 1) // behind the api-gateway */
export function clientAddress(c: Context, trustedHops: number): string {
  if (trustedHops > 0) {
    const hops = (headerValue(requestHeaders(c), 'x-forwarded-for') ?? '')
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    const entry = hops[hops.length - trustedHops];
    if (entry) return entry;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
