// The shapes the scoring works on: a visitor's touchpoints before a purchase, and the credit
// each one gets. Pure data, no I/O.

import { eventCatalog } from '@shop/eventing';

/** The six models, as the catalog's `shop.conversion.attributed` names them; `last_click` is the default. */
export const MODELS = eventCatalog['shop.conversion.attributed'].schema.shape.model.options;
export type Model = (typeof MODELS)[number];

/** One touch of a visitor: an affiliate link click, or a page view with UTM parameters. */
export interface Touchpoint {
  /** Stable id: `click:<clickId>` or `utm:<messageId>` of the page view that carried it. */
  id: string;
  kind: 'click' | 'campaign';
  clickId: string | null;
  linkId: string | null;
  affiliateId: string | null;
  /** The link's campaign, or the UTM campaign name of the page view. */
  campaign: string | null;
  /** When it happened (the click's time, or the page view's skew-corrected time). */
  touchedAt: Date;
}

/** The channel a touch counts for in the data-driven model (and in its explanation). */
export function channelOf(touch: Pick<Touchpoint, 'affiliateId' | 'campaign' | 'linkId'>): string {
  if (touch.affiliateId) return `affiliate:${touch.affiliateId}`;
  if (touch.campaign) return `campaign:${touch.campaign}`;
  return `link:${touch.linkId ?? 'direct'}`;
}

/**
 * Touches in the order every model reads them: oldest first; equal times by id, so the order
 * (and every tie-break that follows from it) never depends on the order events arrived in.
 * @example sortTouchpoints([late, early]) // [early, late]
 */
export function sortTouchpoints<T extends Pick<Touchpoint, 'id' | 'touchedAt'>>(
  touches: readonly T[],
): T[] {
  return [...touches].sort(
    (a, b) =>
      a.touchedAt.getTime() - b.touchedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}
