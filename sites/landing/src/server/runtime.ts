// The only place that builds the landing site's clients (the flag client, the page-view sender),
// once per process, from the validated settings. Everything else gets them passed in.
import { createFlagClient, createLogger, type Logger } from '@shop/shared';
import { shopperFetch, shopperHeaders } from '@shop/shared/site-security';
import { type LandingConfig, loadLandingConfig } from './config.js';
import type { FlagClient } from './headline.js';
import { createPageViewSender, type PageViewSender } from './page-view.js';

export interface Runtime {
  config: LandingConfig;
  log: Logger;
  /** The flag client; undefined while it cannot be built (the page shows default variants). */
  flags(): Promise<FlagClient | undefined>;
  pageViews: PageViewSender;
}

let runtime: Runtime | undefined;

/** The process's runtime, built on first use; a bad setting throws a ConfigError naming it. */
export function getRuntime(): Runtime {
  if (runtime) return runtime;
  const config = loadLandingConfig();
  const log = createLogger({ service: 'landing', level: process.env.LOG_LEVEL ?? 'info' });
  let flags: Promise<FlagClient | undefined> | undefined;
  // Every gateway call names the visitor's address (with the site's token), so the gateway's
  // anonymous limit counts visitors apart, not a campaign's whole burst as the site's one address.
  const gatewayFetch = shopperFetch(shopperHeaders(config.gatewayTokenFile));
  runtime = {
    config,
    log,
    flags() {
      // OFREP at the gateway (`/ofrep/v1/…`): the gateway is this site's only upstream. A client
      // that could not be built is tried again on the next request.
      flags ??= createFlagClient({
        baseUrl: config.gatewayUrl,
        domain: 'landing',
        timeoutMs: config.flagTimeoutMs,
        fetch: gatewayFetch,
      }).catch((error: unknown) => {
        log.warn({ err: error }, 'flag client unavailable: default variants');
        flags = undefined;
        return undefined;
      });
      return flags;
    },
    pageViews: createPageViewSender({
      gatewayUrl: config.gatewayUrl,
      writeKey: config.analyticsWriteKey,
      timeoutMs: config.analyticsTimeoutMs,
      log,
      fetch: gatewayFetch,
    }),
  };
  return runtime;
}
