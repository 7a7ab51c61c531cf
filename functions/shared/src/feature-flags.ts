// The one-line way for a function or a site's server to read feature flags: an OpenFeature
// client over the stock OFREP provider, pointed at the feature-flag function.
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { type Client, OpenFeature } from '@openfeature/server-sdk';

export interface FlagClientOptions {
  /** The feature-flag function's base URL (`FEATURE_FLAG_URL`, e.g. http://feature-flag.shop.svc). */
  baseUrl: string;
  /** The OpenFeature domain the provider is bound to; default `default`. Use the caller's name. */
  domain?: string;
  /** Each evaluation gives up after this (default 500 ms); the caller's default value answers. */
  timeoutMs?: number;
  /** Headers for every request (e.g. the caller's bearer token). */
  headers?: Record<string, string>;
  /** Replaces fetch (tests). */
  fetch?: typeof fetch;
}

/**
 * An OpenFeature client whose flags come from the feature-flag function over OFREP. Errors,
 * timeouts and unknown flags answer the default value the caller passes.
 * @example const flags = await createFlagClient({ baseUrl: config.FEATURE_FLAG_URL, domain: 'cart' }); if (await flags.getBooleanValue('new-checkout', false, { targetingKey: userId })) …
 */
export async function createFlagClient(options: FlagClientOptions): Promise<Client> {
  const timeoutMs = options.timeoutMs ?? 500;
  const base = options.fetch ?? fetch;
  const provider = new OFREPProvider({
    baseUrl: options.baseUrl,
    ...(options.headers && { headers: options.headers }),
    fetchImplementation: (input: string | URL | Request, init?: RequestInit) =>
      base(input, {
        ...init,
        signal: init?.signal
          ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
          : AbortSignal.timeout(timeoutMs),
      }),
  });
  const domain = options.domain ?? 'default';
  await OpenFeature.setProviderAndWait(domain, provider);
  return OpenFeature.getClient(domain);
}
