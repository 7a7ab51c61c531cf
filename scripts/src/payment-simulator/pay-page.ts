// The pay/decline page a shopper is redirected to: plain HTML forms, everything escaped.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/**
 * Formats an amount in minor units, e.g. `formatMinorUnits(1299, 'eur')` → `€12.99`; the
 * currency's own number of decimals (JPY has none).
 */
export function formatMinorUnits(amount: number, currency: string, locale = 'en-IE'): string {
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: currency.toUpperCase(),
  });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

/** The page's response headers: no caching, nothing loaded from elsewhere, no framing. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Payment simulator</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#111}
.amount{font-size:2rem;font-weight:700;margin:.5rem 0 1.5rem}
.actions{display:flex;gap:1rem}
button{font:inherit;padding:.6rem 1.4rem;border-radius:.4rem;border:2px solid #111;cursor:pointer}
button:focus-visible{outline:3px solid #1a56db;outline-offset:2px}
.pay{background:#111;color:#fff}.decline{background:#fff;color:#111}
.note{color:#555;font-size:.9rem}
</style>
</head>
<body>
<main>
${body}
<p class="note">Test mode: this is the shop's payment provider simulator; no money moves.</p>
</main>
</body>
</html>
`;
}

/** What the pay page shows of an intent. */
export interface PayPageIntent {
  id: string;
  amount: number;
  currency: string;
  status: string;
  description: string | null;
  lastError?: string | undefined;
  returnUrl?: string | undefined;
}

/** The page with the amount and the Pay / Decline forms (or the intent's state once final). */
export function renderPayPage(intent: PayPageIntent): string {
  const amount = formatMinorUnits(intent.amount, intent.currency);
  const path = `/pay/${encodeURIComponent(intent.id)}`;
  const description = intent.description ? `<p>${escapeHtml(intent.description)}</p>` : '';
  if (intent.status === 'succeeded') {
    return renderResultPage(
      'Already paid',
      `This payment of ${amount} is complete.`,
      intent.returnUrl,
    );
  }
  const lastError = intent.lastError
    ? `<p role="alert">The last attempt failed: ${escapeHtml(intent.lastError)}</p>`
    : '';
  return layout(
    'Pay',
    `<h1>Pay your order</h1>
${description}
<p class="amount" aria-label="Amount due">${escapeHtml(amount)}</p>
${lastError}
<div class="actions">
<form method="post" action="${escapeHtml(`${path}/confirm`)}"><button class="pay" type="submit">Pay ${escapeHtml(amount)}</button></form>
<form method="post" action="${escapeHtml(`${path}/decline`)}"><button class="decline" type="submit">Decline</button></form>
</div>
<p class="note">Payment ${escapeHtml(intent.id)}</p>`,
  );
}

/** A page saying how a payment ended. */
export function renderResultPage(title: string, message: string, returnUrl?: string): string {
  const back = returnUrl ? `<p><a href="${escapeHtml(returnUrl)}">Back to the shop</a></p>` : '';
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p role="status">${escapeHtml(message)}</p>
${back}`,
  );
}
