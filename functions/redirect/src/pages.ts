// The few HTML pages the redirect answers itself: unknown, disabled or expired links, and the
// password form. No script, no external resource; never indexed, never cached.

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Headers of every page and redirect: not cached, not indexed. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'private, no-store',
  'x-robots-tag': 'noindex, nofollow',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
});

const PAGE_HEADERS = {
  ...NO_STORE_HEADERS,
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#222}h1{font-size:1.5rem}input,button{font:inherit;padding:.4rem .6rem}</style>
</head><body>${body}</body></html>`;
}

/** The page of a code no link has (404), or a link that is disabled or expired (410). */
export function gonePage(kind: 'not_found' | 'disabled' | 'expired'): Response {
  const [status, title, text] =
    kind === 'not_found'
      ? [404, 'Link not found', 'There is no link at this address. Check it for typos.']
      : kind === 'expired'
        ? [410, 'This link has expired', 'The offer behind this link has ended.']
        : [410, 'This link is no longer active', 'The offer behind this link is not available.'];
  return new Response(page(title, `<h1>${title}</h1><p>${text}</p>`), {
    status,
    headers: PAGE_HEADERS,
  });
}

/** The password form of a protected link; `failed` after a wrong password. */
export function passwordPage(
  code: string,
  options: { failed?: boolean; status?: number } = {},
): Response {
  const action = `/r/${encodeURIComponent(code)}`;
  const body = `<h1>This link is protected</h1>
<p>Enter the password you were given to continue.</p>
${options.failed ? '<p role="alert">That password is not right.</p>' : ''}
<form method="post" action="${escapeHtml(action)}">
<label>Password <input type="password" name="password" required autocomplete="off" autofocus></label>
<button type="submit">Continue</button>
</form>`;
  return new Response(page('Protected link', body), {
    status: options.status ?? (options.failed ? 401 : 200),
    headers: PAGE_HEADERS,
  });
}

/** Too many password attempts: try again later. */
export function tooManyAttemptsPage(retryAfterSeconds: number): Response {
  return new Response(
    page('Too many attempts', '<h1>Too many attempts</h1><p>Try again in a few minutes.</p>'),
    { status: 429, headers: { ...PAGE_HEADERS, 'retry-after': String(retryAfterSeconds) } },
  );
}

/** The link could not be read (database down and nothing cached): try again shortly. */
export function unavailablePage(): Response {
  return new Response(
    page('Try again', '<h1>Something went wrong</h1><p>Please try again in a moment.</p>'),
    { status: 503, headers: { ...PAGE_HEADERS, 'retry-after': '5' } },
  );
}
