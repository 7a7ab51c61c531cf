// What attribution needs from a call, found where the sites put it: the affiliate click id the
// redirect appended to the landing URL (`shop_click`), and the UTM parameters of the visit.
import { isJsonObject, type JsonObject } from './segment-call.js';

// What the catalog's z.uuid() accepts: an RFC 9562 version 1–8 UUID, or the nil and max ones.
const UUID =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/i;
const MAX_CAMPAIGN_VALUE = 500;

/** UTM parameters of a visit, as the catalog's `campaign` holds them. */
export interface Campaign {
  source: string | null;
  medium: string | null;
  name: string | null;
  term: string | null;
  content: string | null;
}

function pageUrl(context: JsonObject, properties: JsonObject | undefined): URL | undefined {
  const page = context.page;
  for (const candidate of [isJsonObject(page) ? page.url : undefined, properties?.url]) {
    if (typeof candidate !== 'string' || candidate.length > 8192) continue;
    try {
      return new URL(candidate);
    } catch {
      // Not a URL: look at the next place.
    }
  }
  return undefined;
}

function uuidOrNull(value: unknown): string | null {
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : null;
}

function clean(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CAMPAIGN_VALUE) {
    return null;
  }
  // The catalog's text rule: well-formed, no control characters.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
  return value.isWellFormed() && !/[\u0000-\u001f\u007f]/.test(value) ? value : null;
}

/**
 * The click id: `properties.clickId`, else the `clickIdParam` query parameter of
 * `context.page.url` or `properties.url`; null unless it is a UUID.
 * @example extractClickId({ page: { url: 'https://shop.example/?shop_click=0197…' } }, {}, 'shop_click')
 */
export function extractClickId(
  context: JsonObject,
  properties: JsonObject | undefined,
  clickIdParam: string,
): string | null {
  const explicit = uuidOrNull(properties?.clickId);
  if (explicit) return explicit;
  return uuidOrNull(pageUrl(context, properties)?.searchParams.get(clickIdParam));
}

/**
 * The campaign: `context.campaign` (Segment's `name`, `source`, `medium`, `term`, `content`),
 * else the page URL's `utm_*` parameters; null when neither names anything.
 * @example extractCampaign({ page: { url: 'https://shop.example/?utm_source=news' } }, {})?.source // 'news'
 */
export function extractCampaign(
  context: JsonObject,
  properties: JsonObject | undefined,
): Campaign | null {
  const given = context.campaign;
  let campaign: Campaign;
  if (isJsonObject(given)) {
    campaign = {
      source: clean(given.source),
      medium: clean(given.medium),
      name: clean(given.name),
      term: clean(given.term),
      content: clean(given.content),
    };
  } else {
    const query = pageUrl(context, properties)?.searchParams;
    if (!query) return null;
    campaign = {
      source: clean(query.get('utm_source')),
      medium: clean(query.get('utm_medium')),
      name: clean(query.get('utm_campaign')),
      term: clean(query.get('utm_term')),
      content: clean(query.get('utm_content')),
    };
  }
  return Object.values(campaign).some((value) => value !== null) ? campaign : null;
}
