// Whose request this is, decided once per request for the rate limit and the X-Forwarded-For
// the functions get. A browser's request: the address the trusted proxies in front saw (the
// kit's `edgeClientAddress`). A site's server-side call on a shopper's behalf (the storefront,
// the landing pages, the back office): the shopper's address the site names in
// `x-shop-client-address`, believed only with `x-shop-site-token`, the site's own
// service-account token for the gateway's audience, verified against the cluster's issuer and
// the allowed subjects. Without a valid token the claim is ignored (the site's own address
// counts), so nobody else can choose the address their requests are counted under.
import { isIP } from 'node:net';
import {
  edgeClientAddress,
  headerValue,
  Problem,
  requestHeaders,
  type ServiceEnv,
  type WorkloadIdentity,
  type WorkloadTokenVerifier,
} from '@shop/shared';
import { SHOPPER_ADDRESS_HEADER, SITE_TOKEN_HEADER } from '@shop/shared/site-security';
import type { MiddlewareHandler } from 'hono';

export interface ClientAddressEnv {
  Variables: { clientAddress: string };
}

export interface ClientAddressOptions {
  /** Proxies in front that append to X-Forwarded-For (0: trust only the socket). */
  trustedProxyHops: number;
  /** Checks a site's token; unset: no site is trusted, every claim is ignored. */
  verifySiteToken?: WorkloadTokenVerifier | undefined;
  /** Milliseconds since the epoch (token expiry); default Date.now. */
  clock?: () => number;
}

/** Verified tokens kept until they expire, so a site's calls cost no signature check each. */
const MAX_CACHED_TOKENS = 256;

/**
 * Sets `clientAddress` for the rest of the chain.
 * @example app.use(clientAddress({ trustedProxyHops: 1, verifySiteToken }));
 */
export function clientAddress(
  options: ClientAddressOptions,
): MiddlewareHandler<ServiceEnv & ClientAddressEnv> {
  const clock = options.clock ?? Date.now;
  const verified = new Map<string, WorkloadIdentity>();
  const siteIdentity = async (token: string): Promise<WorkloadIdentity | undefined> => {
    const cached = verified.get(token);
    if (cached && cached.expiresAt > clock()) return cached;
    verified.delete(token);
    if (!options.verifySiteToken) return undefined;
    try {
      const identity = await options.verifySiteToken(token);
      if (verified.size >= MAX_CACHED_TOKENS) verified.clear();
      verified.set(token, identity);
      return identity;
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      return undefined;
    }
  };
  return async (c, next) => {
    let address = edgeClientAddress(c, options.trustedProxyHops);
    const headers = requestHeaders(c);
    const claimed = headerValue(headers, SHOPPER_ADDRESS_HEADER)?.trim();
    const token = headerValue(headers, SITE_TOKEN_HEADER)?.trim();
    if (claimed && token) {
      const site = await siteIdentity(token);
      if (site && isIP(claimed) !== 0) address = claimed;
      else c.get('log').warn({ site: site?.subject ?? null }, 'site client address ignored');
    }
    c.set('clientAddress', address);
    await next();
  };
}
