// Which touches of a visitor count for a purchase: pure, from what the store read.
import { sortTouchpoints, type Touchpoint } from './touchpoint.js';

export interface ClickRecord {
  clickId: string;
  linkId: string;
  affiliateId: string | null;
  campaign: string | null;
  clickedAt: Date;
  bot: boolean;
}

export interface PageViewRecord {
  messageId: string;
  clickId: string | null;
  utmCampaign: string | null;
  occurredAt: Date;
}

export interface TouchInput {
  purchasedAt: Date;
  lookbackMs: number;
  /** The click id the order carried (the shopper's own browser's cookie). */
  orderClickId: string | null;
  /** The visitor's page views (its own anonymous ids and its user's). */
  pageViews: readonly PageViewRecord[];
  /** Click ids this visitor claimed: the first page view carrying them was its own. */
  claimedClickIds: ReadonlySet<string>;
  clicks: ReadonlyMap<string, ClickRecord>;
  /** At most this many touches, the newest (default 100). */
  maxTouches?: number;
}

/** Page views of one campaign within this long count as one visit (a session). */
export const CAMPAIGN_SESSION_MS = 30 * 60_000;

/**
 * The touches in [purchase − lookback, purchase], oldest first:
 * - a click counts once, when it is the order's own click id or a click this visitor claimed
 *   and one of its page views carried; never a bot click, never a click unknown to redirect;
 * - a page view with a UTM campaign and no click id is a campaign touch; more of the same
 *   campaign within 30 minutes of the last counted one are the same visit.
 * @example collectTouchpoints({ purchasedAt, lookbackMs, orderClickId, pageViews, claimedClickIds, clicks })
 */
export function collectTouchpoints(input: TouchInput): Touchpoint[] {
  const from = input.purchasedAt.getTime() - input.lookbackMs;
  const to = input.purchasedAt.getTime();
  const inWindow = (at: Date) => at.getTime() >= from && at.getTime() <= to;
  const touches = new Map<string, Touchpoint>();
  const addClick = (clickId: string) => {
    const click = input.clicks.get(clickId);
    if (!click || click.bot || !inWindow(click.clickedAt)) return;
    touches.set(`click:${clickId}`, {
      id: `click:${clickId}`,
      kind: 'click',
      clickId,
      linkId: click.linkId,
      affiliateId: click.affiliateId,
      campaign: click.campaign,
      touchedAt: click.clickedAt,
    });
  };
  if (input.orderClickId) addClick(input.orderClickId);
  const views = [...input.pageViews].sort(
    (a, b) =>
      a.occurredAt.getTime() - b.occurredAt.getTime() ||
      (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0),
  );
  const lastVisit = new Map<string, number>();
  for (const view of views) {
    if (view.clickId) {
      if (input.claimedClickIds.has(view.clickId)) addClick(view.clickId);
      continue;
    }
    if (!view.utmCampaign || !inWindow(view.occurredAt)) continue;
    const at = view.occurredAt.getTime();
    const previous = lastVisit.get(view.utmCampaign);
    if (previous !== undefined && at - previous <= CAMPAIGN_SESSION_MS) continue;
    lastVisit.set(view.utmCampaign, at);
    touches.set(`utm:${view.messageId}`, {
      id: `utm:${view.messageId}`,
      kind: 'campaign',
      clickId: null,
      linkId: null,
      affiliateId: null,
      campaign: view.utmCampaign,
      touchedAt: view.occurredAt,
    });
  }
  const sorted = sortTouchpoints([...touches.values()]);
  const max = input.maxTouches ?? 100;
  return sorted.length > max ? sorted.slice(sorted.length - max) : sorted;
}
