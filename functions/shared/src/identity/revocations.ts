// Prompt revocation of access tokens: auth publishes the sessions it revoked (logout, refresh-
// token reuse, erasure, password reset) as a feed; every verifier keeps the list in memory and
// reads it again when it is older than a couple of seconds, so a revoked session's tokens stop
// working everywhere within that time instead of at their expiry.

/** What a verifier learns of a session: revoked, not revoked, or nothing trustworthy. */
export type RevocationVerdict = 'revoked' | 'active' | 'unknown';

/** Whether the session `sid` was revoked. */
export type RevocationCheck = (sid: string) => Promise<RevocationVerdict>;

/** One page of auth's feed (`GET /internal/sessions/revocations?since=`). */
export interface RevocationFeedPage {
  /** Sessions revoked after `since` (all recent ones without it), with when. */
  revoked: { sid: string; revokedAt: string }[];
  /** Auth's clock when it read them: the `since` of the next read. */
  asOf: string;
}

export interface RevocationFeedOptions {
  /** The feed, e.g. `http://auth/internal/sessions/revocations`. */
  url: string;
  /**
   * A list older than this is read again before it answers (the revocation delay): default
   * 2 s. Concurrent checks share one read.
   */
  refreshMs?: number;
  /**
   * While the feed cannot be read, the last list keeps answering for this long after its last
   * successful read; then every check answers `unknown` (the token is refused with 503) until
   * the feed answers again. Default 60 s.
   */
  maxStaleMs?: number;
  /**
   * How long a revoked session is remembered: past the longest access-token lifetime its tokens
   * have expired anyway. Default 16 minutes (15-minute tokens plus a minute of clock skew).
   */
  retainMs?: number;
  /** Milliseconds a read may take. Default 2 s. */
  timeoutMs?: number;
  /**
   * Each read starts this far before the previous read's `asOf`, so a revocation committed
   * while that read ran (stamped earlier than its `asOf`) is not missed. Default 5 s.
   */
  overlapMs?: number;
  fetch?: typeof fetch;
  clock?: () => number;
  /** Told when a read fails (the list then ages). */
  onError?: (error: unknown) => void;
}

/** A revocation check backed by auth's feed; see {@link RevocationFeedOptions}. */
export interface RevocationFeed {
  check: RevocationCheck;
  /** Reads the feed now (tests; a warm-up at start). */
  refresh(): Promise<void>;
}

/**
 * Keeps auth's list of revoked sessions, read on demand.
 * @example const feed = createRevocationFeed({ url: `${authUrl}/internal/sessions/revocations` });
 * createTokenVerifier({ jwks, issuer, audience, revocations: feed.check });
 */
export function createRevocationFeed(options: RevocationFeedOptions): RevocationFeed {
  const refreshMs = options.refreshMs ?? 2_000;
  const maxStaleMs = options.maxStaleMs ?? 60_000;
  const retainMs = options.retainMs ?? 16 * 60_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const overlapMs = options.overlapMs ?? 5_000;
  const doFetch = options.fetch ?? fetch;
  const now = options.clock ?? Date.now;
  /** Revoked session → when it may be forgotten (local clock). */
  const revoked = new Map<string, number>();
  let readAt: number | undefined;
  let since: string | undefined;
  let reading: Promise<void> | undefined;

  const read = async () => {
    const url = new URL(options.url);
    if (since) url.searchParams.set('since', since);
    const started = now();
    const res = await doFetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`revocation feed answered ${res.status}`);
    const page = parsePage(await res.json());
    for (const entry of page.revoked) revoked.set(entry.sid, started + retainMs);
    for (const [sid, forgetAt] of revoked) if (forgetAt <= started) revoked.delete(sid);
    since = new Date(Date.parse(page.asOf) - overlapMs).toISOString();
    readAt = started;
  };

  const refresh = () => {
    reading ??= read().finally(() => {
      reading = undefined;
    });
    return reading;
  };

  const check: RevocationCheck = async (sid) => {
    const age = readAt === undefined ? Number.POSITIVE_INFINITY : now() - readAt;
    if (age > refreshMs) {
      try {
        await refresh();
      } catch (error) {
        options.onError?.(error);
        if (age > maxStaleMs) return 'unknown';
      }
    }
    return revoked.has(sid) ? 'revoked' : 'active';
  };

  return { check, refresh };
}

function parsePage(body: unknown): RevocationFeedPage {
  const page = body as Partial<RevocationFeedPage> | null;
  if (
    !page ||
    typeof page.asOf !== 'string' ||
    Number.isNaN(Date.parse(page.asOf)) ||
    !Array.isArray(page.revoked) ||
    !page.revoked.every((entry) => typeof entry?.sid === 'string')
  ) {
    throw new Error('the revocation feed answered something else than a feed page');
  }
  return page as RevocationFeedPage;
}
