// What a visit carries into the storefront: the UTM parameters it came with (or the campaign's
// defaults) and the click id redirect appended (`shop_click`), kept in every storefront link of
// the page, so analytics and attribution see where the shopper came from.

export const UTM_PARAMS = [
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
] as const;
export type UtmParam = (typeof UTM_PARAMS)[number];

/** The query parameter redirect puts the click id in (its `CLICK_ID_PARAM`). */
export const CLICK_ID_PARAM = 'shop_click';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_UTM_LENGTH = 100;
// Control characters (a UTM value is a label, never markup or a header line).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The attribution of one visit: UTM parameters and the click id, in a fixed order. */
export type Attribution = [name: string, value: string][];

/**
 * The visit's attribution from the page URL's query: each UTM parameter it has (1–100
 * characters, no control characters), else the campaign's default; the click id only when it is
 * a UUID (a forged one is dropped, not passed on).
 * @example attributionOf(new URLSearchParams('utm_source=x&shop_click=…'), { utm_campaign: 'summer-sale' })
 */
export function attributionOf(
  query: URLSearchParams,
  defaults: Partial<Record<UtmParam, string>>,
): Attribution {
  const pairs: Attribution = [];
  for (const name of UTM_PARAMS) {
    const given = query.get(name);
    const value =
      given && given.length <= MAX_UTM_LENGTH && !CONTROL.test(given) ? given : defaults[name];
    if (value) pairs.push([name, value]);
  }
  const clickId = query.get(CLICK_ID_PARAM);
  if (clickId && UUID.test(clickId)) pairs.push([CLICK_ID_PARAM, clickId.toLowerCase()]);
  return pairs;
}

/**
 * A storefront link for `path` (a path of the storefront, its own query kept) with the visit's
 * attribution; a parameter the path sets itself wins. Never leaves `storefrontOrigin`.
 * @example storefrontLink('http://127.0.0.1:4321', '/de/p/linen-shirt', attribution)
 */
export function storefrontLink(
  storefrontOrigin: string,
  path: string,
  attribution: Attribution,
): string {
  const url = new URL(
    path.startsWith('/') && !path.startsWith('//') ? path : '/',
    storefrontOrigin,
  );
  if (url.origin !== storefrontOrigin) throw new Error(`not a storefront path: ${path}`);
  for (const [name, value] of attribution) {
    if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  }
  return url.href;
}
