// A visitor's recent clicks travel in their own signed cookie, so a repeat click (the same link
// within the window) is recognised without a lookup on the hot path: the cookie names the click
// id to reuse. Signed because a forged entry could make a purchase carry someone else's click.
// At most RECENT_CLICKS_MAX links are kept (the most recent first); older ones are forgotten.
import { signToken, verifySignedToken } from './signed-token.js';

/** One earlier click of this visitor. */
export interface RecentClick {
  /** The link's tag: the last 12 hex digits of its id (ids are UUIDv7: the random part). */
  linkTag: string;
  clickId: string;
  /** When it was first made, seconds since the epoch. */
  at: number;
}

export const RECENT_CLICKS_MAX = 8;
const ENTRY = /^([0-9a-f]{12})\.([0-9a-f]{32})\.([0-9a-z]{1,8})$/;

/** The tag a link goes by in the cookie. */
export function linkTagOf(linkId: string): string {
  return linkId.replaceAll('-', '').slice(-12);
}

const hexOf = (uuid: string) => uuid.replaceAll('-', '');
const uuidOf = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/**
 * The clicks of a cookie this secret signed that are still within the window (newest first);
 * none for a missing, forged, expired or malformed cookie.
 * @example readRecentClicks(secret, getCookie(c, '__Host-shop_rc'), new Date(), 3600)
 */
export function readRecentClicks(
  secret: string,
  cookie: string | undefined,
  now: Date,
  windowSeconds: number,
): RecentClick[] {
  const payload = verifySignedToken(secret, cookie, now, 1_024);
  if (typeof payload?.c !== 'string') return [];
  const since = Math.floor(now.getTime() / 1000) - windowSeconds;
  const clicks: RecentClick[] = [];
  for (const entry of payload.c.split('~').slice(0, RECENT_CLICKS_MAX)) {
    const match = ENTRY.exec(entry);
    if (!match) continue;
    const at = Number.parseInt(match[3] as string, 36);
    if (at > since)
      clicks.push({ linkTag: match[1] as string, clickId: uuidOf(match[2] as string), at });
  }
  return clicks;
}

/** The earlier click on this link, if the cookie holds one. */
export function findRecentClick(clicks: RecentClick[], linkId: string): RecentClick | undefined {
  const tag = linkTagOf(linkId);
  return clicks.find((click) => click.linkTag === tag);
}

/**
 * The cookie value after a new click: it first, then the other links' clicks, expiring with the
 * newest entry's window.
 */
export function writeRecentClicks(
  secret: string,
  clicks: RecentClick[],
  added: RecentClick,
  windowSeconds: number,
): string {
  const kept = [added, ...clicks.filter((click) => click.linkTag !== added.linkTag)].slice(
    0,
    RECENT_CLICKS_MAX,
  );
  return signToken(secret, {
    c: kept
      .map((click) => `${click.linkTag}.${hexOf(click.clickId)}.${click.at.toString(36)}`)
      .join('~'),
    exp: added.at + windowSeconds,
  });
}
