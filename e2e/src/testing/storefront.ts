// The storefront as a story starts it: `astro dev` of sites/storefront in a child process, on a
// free port, pointed at the story's gateway; and a shopper's browser without JavaScript (plain
// HTTP with a cookie jar, forms posted as a browser posts them, redirects followed by hand).
import { freePort, usesRealInfrastructure } from '@shop/shared/testing';
import { type RunningStorefront, startStorefront } from '@shop/storefront/dev-server';

export type { RunningStorefront };

/**
 * Starts the storefront's dev server on a free port against `gatewayUrl`, its sessions in the
 * real Redis in `test:integration`, in memory in `npm test`.
 * @example const site = await storefrontFor(shop.gateway.url);
 */
export async function storefrontFor(
  gatewayUrl: string,
  env: Record<string, string> = {},
): Promise<RunningStorefront> {
  const redis = usesRealInfrastructure() ? (process.env.REDIS_URL ?? '') : '';
  return startStorefront({
    port: await freePort(),
    gatewayUrl,
    env: { REDIS_URL: redis, ...env },
  });
}

/** What the browser got: status, headers, the page and the URL it was at. */
export interface Page {
  status: number;
  url: string;
  headers: Headers;
  html: string;
}

/**
 * A browser with JavaScript off: keeps cookies (as a browser keeps them for one origin),
 * follows redirects, posts forms with the Origin header a browser sends.
 */
export class NoScriptBrowser {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header the site sent, as sent. */
  readonly setCookies: string[] = [];

  constructor(readonly origin: string) {}

  private remember(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair = ''] = line.split(';');
      const [name = '', ...rest] = pair.split('=');
      const value = rest.join('=');
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
  }

  private cookieHeader(url: URL): Record<string, string> {
    if (url.origin !== this.origin || this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }

  /** GET `path` (or an absolute URL), following redirects. */
  async get(path: string): Promise<Page> {
    return this.request('GET', new URL(path, this.origin));
  }

  /** POST a form to `path` as a browser does, following the redirect that answers it. */
  async post(path: string, fields: Record<string, string>, from?: string): Promise<Page> {
    return this.request('POST', new URL(path, from ?? this.origin), new URLSearchParams(fields));
  }

  private async request(method: string, url: URL, body?: URLSearchParams): Promise<Page> {
    let current = url;
    let currentMethod = method;
    let currentBody = body;
    for (let hops = 0; hops < 10; hops++) {
      const res = await fetch(current, {
        method: currentMethod,
        redirect: 'manual',
        headers: {
          accept: 'text/html',
          ...this.cookieHeader(current),
          ...(currentBody && {
            'content-type': 'application/x-www-form-urlencoded',
            origin: current.origin,
          }),
        },
        ...(currentBody && { body: currentBody }),
      });
      if (current.origin === this.origin) this.remember(res.headers);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        current = new URL(location, current);
        currentMethod = 'GET';
        currentBody = undefined;
        continue;
      }
      return {
        status: res.status,
        url: current.href,
        headers: res.headers,
        html: await res.text(),
      };
    }
    throw new Error(`too many redirects from ${url.href}`);
  }
}

/**
 * The hidden fields of the first form in `html` whose action is `action` (CSRF token,
 * idempotency key…).
 * @example hiddenFields(page.html, '/cart/add')._csrf
 */
export function hiddenFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  if (start < 0) throw new Error(`no form posting to ${action}`);
  const form = html.slice(start, html.indexOf('</form>', start));
  const fields: Record<string, string> = {};
  for (const match of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    fields[match[1] ?? ''] = (match[2] ?? '').replaceAll('&amp;', '&');
  }
  return fields;
}
