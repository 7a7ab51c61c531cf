// Page views of the landing pages, recorded on the server (so visitors without JavaScript count
// too) as a Segment `page` call to analytics-ingest through the gateway, with the site's write
// key. Fire and forget: the page never waits for it nor fails because of it; a failure is
// logged and counted by the caller's logger.
import type { Logger } from '@shop/shared';

export interface PageView {
  /** The visitor id (the flag's targeting key): Segment's anonymousId. */
  visitorId: string;
  /** The page as the visitor asked for it (its query carries UTM and the click id). */
  url: URL;
  title: string;
  locale: string;
  campaignId: string;
  headlineVariant: string;
  referrer?: string | undefined;
  userAgent?: string | undefined;
}

/**
 * The Segment `page` call of a view (analytics-ingest reads the click id and UTM from
 * `context.page.url`).
 * @example pageCall(view, new Date())
 */
export function pageCall(view: PageView, now: Date): Record<string, unknown> {
  const page = {
    url: view.url.href,
    path: view.url.pathname,
    search: view.url.search,
    title: view.title,
    ...(view.referrer && { referrer: view.referrer }),
  };
  return {
    type: 'page',
    messageId: crypto.randomUUID(),
    anonymousId: view.visitorId,
    name: view.title,
    properties: {
      ...page,
      campaign_id: view.campaignId,
      headline_variant: view.headlineVariant,
    },
    context: {
      page,
      locale: view.locale,
      ...(view.userAgent && { userAgent: view.userAgent.slice(0, 500) }),
      library: { name: '@shop/landing', version: '0.1.0' },
    },
    timestamp: now.toISOString(),
  };
}

export interface PageViewSender {
  /** Sends the view in the background; resolves when it was answered or given up (tests). */
  send(view: PageView): Promise<void>;
}

/**
 * Sends page views to `${gatewayUrl}/api/analytics/v1/page` with `writeKey` (HTTP Basic, as
 * Segment's clients do); without a write key it sends nothing.
 * @example createPageViewSender({ gatewayUrl, writeKey, timeoutMs: 2000, log }).send(view)
 */
export function createPageViewSender(options: {
  gatewayUrl: string;
  writeKey: string | undefined;
  timeoutMs: number;
  log: Logger;
  clock?: () => Date;
  fetch?: typeof fetch;
}): PageViewSender {
  const send = options.fetch ?? fetch;
  const clock = options.clock ?? (() => new Date());
  const authorization = options.writeKey
    ? `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`
    : undefined;
  return {
    async send(view) {
      if (!authorization) return;
      try {
        const res = await send(`${options.gatewayUrl}/api/analytics/v1/page`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify(pageCall(view, clock())),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        await res.body?.cancel();
        if (!res.ok) {
          options.log.warn({ status: res.status, campaign: view.campaignId }, 'page view refused');
        }
      } catch (error) {
        options.log.warn({ err: error, campaign: view.campaignId }, 'page view not sent');
      }
    },
  };
}
