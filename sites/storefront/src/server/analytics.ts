// Page views and cart adds, sent to analytics-ingest as Segment calls with the site's write key.
// The browser never talks to ingest: a beacon (JavaScript) or a pixel (no JavaScript) reaches
// this site, and the server adds what only it knows — the visitor's id, the signed-in user, the
// click id kept from an affiliate redirect — and sends batches in the background. Analytics
// never slows or fails a page: calls wait in a bounded buffer, a batch ingest refuses or cannot
// take is dropped and counted, and without a write key nothing is sent.

/** A Segment call as ingest takes it (`page` or `track`). */
export interface SegmentCall {
  type: 'page' | 'track';
  messageId: string;
  timestamp: string;
  anonymousId: string;
  userId?: string;
  event?: string;
  name?: string;
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
}

export interface AnalyticsOptions {
  /** ingest's batch endpoint (through the gateway: `<gateway>/api/analytics/v1/batch`). */
  batchUrl: string;
  /** The site's write key; undefined → nothing is recorded. */
  writeKey: string | undefined;
  /** Calls kept while ingest is slow; beyond, the newest are dropped. */
  maxBuffered?: number;
  /** Calls per batch. */
  batchSize?: number;
  /** How long a call waits for others to share its batch. */
  flushMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface Analytics {
  /** Queues a call; never throws, never waits. */
  record(call: SegmentCall): void;
  /** Sends what is queued now. */
  flush(): Promise<void>;
  /** Calls sent, and dropped (buffer full, or ingest refused or could not be reached). */
  stats(): { sent: number; dropped: number };
  /** Whether calls are recorded at all (a write key is set). */
  readonly enabled: boolean;
}

/**
 * The site's analytics sender.
 * @example const analytics = createAnalytics({ batchUrl: `${gateway}/api/analytics/v1/batch`, writeKey });
 */
export function createAnalytics(options: AnalyticsOptions): Analytics {
  const maxBuffered = options.maxBuffered ?? 1000;
  const batchSize = options.batchSize ?? 50;
  const flushMs = options.flushMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 3000;
  const doFetch = options.fetch ?? fetch;
  const authorization = options.writeKey
    ? `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`
    : undefined;
  const queue: SegmentCall[] = [];
  let sent = 0;
  let dropped = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> = Promise.resolve();

  async function sendBatch(batch: SegmentCall[]): Promise<void> {
    try {
      const res = await doFetch(options.batchUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: authorization ?? '' },
        body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      if (res.ok) sent += batch.length;
      else dropped += batch.length;
    } catch {
      dropped += batch.length;
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batches: SegmentCall[][] = [];
    while (queue.length > 0) batches.push(queue.splice(0, batchSize));
    sending = sending.then(async () => {
      for (const batch of batches) await sendBatch(batch);
    });
    return sending;
  }

  return {
    enabled: authorization !== undefined,
    record(call) {
      if (!authorization) return;
      if (queue.length >= maxBuffered) {
        dropped += 1;
        return;
      }
      queue.push(call);
      if (queue.length >= batchSize) void flush();
      else if (!timer) {
        timer = setTimeout(() => void flush(), flushMs);
        timer.unref?.();
      }
    },
    flush,
    stats: () => ({ sent, dropped }),
  };
}

/** What a page view says about the page, as the browser or the page itself reported it. */
export interface PageSeen {
  /** The page's URL on this site (path and query). */
  url: URL;
  title?: string | undefined;
  referrer?: string | undefined;
}

/** Who the call is about and where it came from, as the session knows it. */
export interface Visitor {
  anonymousId: string;
  userId?: string | undefined;
  clickId?: string | undefined;
  locale: string;
  userAgent?: string | undefined;
}

function context(visitor: Visitor, page?: PageSeen): Record<string, unknown> {
  return {
    locale: visitor.locale,
    ...(visitor.userAgent && { userAgent: visitor.userAgent.slice(0, 512) }),
    ...(page && {
      page: {
        path: page.url.pathname,
        search: page.url.search,
        url: page.url.href,
        ...(page.title && { title: page.title.slice(0, 300) }),
        ...(page.referrer && { referrer: page.referrer.slice(0, 2000) }),
      },
    }),
  };
}

function base(visitor: Visitor) {
  return {
    messageId: crypto.randomUUID(),
    timestamp: new Date().toISOString(),
    anonymousId: visitor.anonymousId,
    ...(visitor.userId && { userId: visitor.userId }),
  };
}

/** A Segment `page` call for a page view; the kept click id rides along as `clickId`. */
export function pageCall(visitor: Visitor, page: PageSeen): SegmentCall {
  return {
    ...base(visitor),
    type: 'page',
    properties: {
      path: page.url.pathname,
      url: page.url.href,
      ...(page.title && { title: page.title.slice(0, 300) }),
      ...(page.referrer && { referrer: page.referrer.slice(0, 2000) }),
      ...(visitor.clickId && { clickId: visitor.clickId }),
    },
    context: context(visitor, page),
  };
}

/** A Segment `track` call (`Product Added` and the like, Segment's e-commerce names). */
export function trackCall(
  visitor: Visitor,
  event: string,
  properties: Record<string, unknown>,
): SegmentCall {
  return {
    ...base(visitor),
    type: 'track',
    event,
    properties: { ...properties, ...(visitor.clickId && { clickId: visitor.clickId }) },
    context: context(visitor),
  };
}
