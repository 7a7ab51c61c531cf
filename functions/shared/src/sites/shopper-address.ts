// Whose request a site's call to the gateway is made for. The sites call the gateway from their
// own servers, so without more every shopper would reach it from the site's one address: the
// gateway's anonymous rate limit and auth's sign-in limits would count all shoppers together
// (twenty sign-ins a minute for the whole shop). So a site names the shopper's address in
// `x-shop-client-address`, with its own service-account token in `x-shop-site-token` (a
// Kubernetes projected token for the gateway's audience; the dev broker writes a stand-in). The
// gateway believes the address only with a token it verified.
//
// Which address a site can know: behind `trustedHops` proxies that append to X-Forwarded-For
// (Knative's queue-proxy, the Istio ingress), the entry the farthest trusted one wrote; with
// none, the socket's peer. Astro's `clientAddress` is X-Forwarded-For's *first* entry whenever a
// request has one — what a visitor writes —, so it is taken only for requests without one.
import { AsyncLocalStorage } from 'node:async_hooks';
import { isIP } from 'node:net';
import { z } from 'zod';
import { sinkTokenFromFile } from '../events/sink-token.js';
import { trustedForwardedEntry } from '../http/client-address.js';

/** Where a site names the shopper's address for the gateway. */
export const SHOPPER_ADDRESS_HEADER = 'x-shop-client-address';
/** Where a site sends its own token with it. */
export const SITE_TOKEN_HEADER = 'x-shop-site-token';

/** The settings every site reads for it (spread into its config schema). */
export const shopperAddressConfigShape = {
  /**
   * Proxies in front of the site that append to X-Forwarded-For (Knative's queue-proxy, the
   * Istio ingress); 0: the socket's peer is the shopper.
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * The site's own service-account token for the gateway (re-read as it is renewed): with it,
   * the gateway counts each shopper under their own address. Unset: all under the site's.
   */
  GATEWAY_TOKEN_FILE: z.string().min(1).optional(),
};

/**
 * The shopper's address of a request to the site, or undefined when it cannot be known.
 * @example shopperAddress(request, Astro.clientAddress, 1)
 */
export function shopperAddress(
  request: Request,
  socketAddress: string | undefined,
  trustedHops: number,
): string | undefined {
  const forwardedFor = request.headers.get('x-forwarded-for');
  if (trustedHops > 0) return trustedForwardedEntry(forwardedFor, trustedHops);
  if (forwardedFor !== null) return undefined;
  return socketAddress !== undefined && isIP(socketAddress) !== 0 ? socketAddress : undefined;
}

/**
 * The shopper's address of an Astro request (its `clientAddress`, which Astro throws for where
 * it has none, is the socket's peer when the request has no X-Forwarded-For).
 * @example forShopper(shopperOf(context, config.trustedProxyHops), () => handle(context, next))
 */
export function shopperOf(
  context: { request: Request; readonly clientAddress: string },
  trustedHops: number,
): string | undefined {
  let socket: string | undefined;
  try {
    socket = context.clientAddress;
  } catch {
    socket = undefined;
  }
  return shopperAddress(context.request, socket, trustedHops);
}

const current = new AsyncLocalStorage<{ address: string | undefined }>();

/**
 * Runs `handle` (a request's whole handling) with `address` as the shopper's, for every gateway
 * call made meanwhile.
 * @example return forShopper(shopperAddress(request, clientAddress, hops), () => next());
 */
export function forShopper<T>(address: string | undefined, handle: () => T): T {
  return current.run({ address }, handle);
}

/** What a site adds to each gateway call: the headers naming the current shopper, or none. */
export type ShopperHeaders = () => Promise<Record<string, string>>;

/**
 * The headers of the current shopper's address and the site's token, read from `tokenFile`
 * (re-read as it is renewed); without a token file, or outside a request, none.
 * @example const headers = shopperHeaders(process.env.GATEWAY_TOKEN_FILE); fetch(url, { headers: await headers() });
 */
export function shopperHeaders(tokenFile: string | undefined): ShopperHeaders {
  const token = tokenFile ? sinkTokenFromFile(tokenFile) : undefined;
  return async (): Promise<Record<string, string>> => {
    const address = current.getStore()?.address;
    if (!token || !address) return {};
    return { [SHOPPER_ADDRESS_HEADER]: address, [SITE_TOKEN_HEADER]: await token() };
  };
}

/**
 * `base` with the current shopper's headers added to every call: for clients the site does not
 * build its requests for itself (the OpenFeature OFREP provider, a sender of analytics calls).
 * @example createFlagClient({ baseUrl, fetch: shopperFetch(shopperHeaders(config.gatewayTokenFile)) })
 */
export function shopperFetch(headers: ShopperHeaders, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const shopper = await headers();
    if (Object.keys(shopper).length === 0) return base(input, init);
    const merged = new Headers(input instanceof Request ? input.headers : undefined);
    for (const [name, value] of new Headers(init?.headers)) merged.set(name, value);
    for (const [name, value] of Object.entries(shopper)) merged.set(name, value);
    return base(input, { ...init, headers: merged });
  };
}
