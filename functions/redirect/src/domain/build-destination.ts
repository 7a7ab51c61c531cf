// The URL a visitor is sent to: the stored destination, its UTM parameters, the visitor's own
// query where it does not clash, and the click id. Only the query changes: scheme, host and
// port are the stored URL's, whatever the request says.

/** Most bytes of the incoming query carried over; beyond them it is dropped. */
export const MAX_INCOMING_QUERY = 2048;

/**
 * @example buildDestination('https://shop.example/sale', { utm_source: 'aff' }, '?sub=7', 'shop_click', id)
 */
export function buildDestination(
  stored: string,
  utm: Readonly<Record<string, string>>,
  incomingQuery: string,
  clickParam: string,
  clickId: string | undefined,
): string {
  const url = new URL(stored);
  for (const [name, value] of Object.entries(utm)) {
    if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  }
  if (incomingQuery.length > 1 && incomingQuery.length <= MAX_INCOMING_QUERY) {
    const stored = new Set(url.searchParams.keys());
    for (const [name, value] of new URLSearchParams(incomingQuery)) {
      // The link's own parameters (and its attribution) win; nobody sets the click id but us.
      if (!stored.has(name) && name !== clickParam) url.searchParams.append(name, value);
    }
  }
  if (clickId) url.searchParams.set(clickParam, clickId);
  return url.href;
}
