// Money is integer minor units with a currency (as every function sends it): formatted per
// locale from a decimal string, so no amount goes through a float, and typed prices read back
// into minor units the same way.

/** The minor-unit digits of `currency` (2 for EUR, 0 for JPY). */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/** `amount` minor units as a decimal string: 1299 EUR → '12.99'. */
export function decimalOf(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const text = String(Math.abs(Math.trunc(amount))).padStart(digits + 1, '0');
  return digits === 0
    ? `${sign}${text}`
    : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/**
 * `amount` minor units of `currency` as the locale writes money.
 * @example formatMoney(1299, 'EUR', 'de-DE') // '12,99 €'
 */
export function formatMoney(amount: number, currency: string, tag: string): string {
  const format = new Intl.NumberFormat(tag, { style: 'currency', currency });
  // A decimal string keeps every digit (Intl reads it exactly).
  return format.format(decimalOf(amount, currency) as unknown as number);
}

/**
 * A typed price in minor units, or null when it is not one: `12.99`, `12,99`, `1.299,00`,
 * `1,299.00`, `12` — the last `.` or `,` followed by at most the currency's digits is the
 * decimal mark, the others are grouping.
 * @example parseMoney('12,99', 'EUR') // 1299
 */
export function parseMoney(input: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const text = input.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (!/^\d[\d.,]*$/.test(text) || text.length > 20) return null;
  const mark = Math.max(text.lastIndexOf('.'), text.lastIndexOf(','));
  let whole = text;
  let fraction = '';
  if (mark >= 0 && text.length - mark - 1 <= digits && text.length - mark - 1 > 0) {
    whole = text.slice(0, mark);
    fraction = text.slice(mark + 1);
  }
  // Grouping marks must group thousands.
  if (/[.,]/.test(whole) && !/^\d{1,3}([.,]\d{3})*$/.test(whole)) return null;
  if (/[.,]/.test(fraction)) return null;
  const minor =
    Number(whole.replace(/[.,]/g, '')) * 10 ** digits + Number(fraction.padEnd(digits, '0') || 0);
  return Number.isSafeInteger(minor) ? minor : null;
}
