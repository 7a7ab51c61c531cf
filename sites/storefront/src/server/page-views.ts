// What the page-view routes accept: a page of this site (never another origin's URL), a title
// and a referrer, each bounded.
import type { PageSeen } from './analytics.js';

const MAX_BODY = 4096;

/**
 * The page a beacon or pixel reports, or undefined when it names no page of `origin`.
 * @example pageSeen('https://shop.example', { url: '/p/kettle?shop_click=…' })
 */
export function pageSeen(
  origin: string,
  input: { url?: unknown; title?: unknown; referrer?: unknown },
): PageSeen | undefined {
  if (typeof input.url !== 'string' || input.url.length > 2000) return undefined;
  let url: URL;
  try {
    url = new URL(input.url, origin);
  } catch {
    return undefined;
  }
  if (url.origin !== origin) return undefined;
  url.hash = '';
  const text = (value: unknown, max: number) =>
    typeof value === 'string' && value.length > 0 ? value.slice(0, max) : undefined;
  return { url, title: text(input.title, 300), referrer: text(input.referrer, 2000) };
}

/** A beacon's body (`text/plain` JSON), or undefined when it is not a small JSON object. */
export async function beaconBody(request: Request): Promise<Record<string, unknown> | undefined> {
  const length = Number(request.headers.get('content-length') ?? '0');
  if (length > MAX_BODY) return undefined;
  const text = await request.text();
  if (text.length > MAX_BODY) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
