// Money arrives as integer minor units with an ISO 4217 code and is shown per locale.

/** Money as the platform's APIs carry it. */
export interface Money {
  amount: number;
  currency: string;
}

/** Digits after the decimal point of `currency` (EUR 2, JPY 0, KWD 3), as Intl knows them. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits as number;
}

/**
 * `money` formatted for `locale`, exact for every amount the platform allows (< 2^53).
 * @example formatMoney({ amount: 123456, currency: 'EUR' }, 'de-DE') // '1.234,56 €'
 */
export function formatMoney(money: Money, locale: string): string {
  if (!Number.isSafeInteger(money.amount)) throw new RangeError('amount must be a safe integer');
  const digits = minorDigits(money.currency);
  const negative = money.amount < 0;
  const units = String(Math.abs(money.amount)).padStart(digits + 1, '0');
  // A decimal string, not a float division, so no amount is ever rounded.
  const decimal = digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(-digits)}`;
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: money.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return format.format(`${negative ? '-' : ''}${decimal}` as unknown as number);
}

/**
 * The amount as a plain decimal string, for structured data (schema.org `price`).
 * @example decimalAmount({ amount: 1999, currency: 'EUR' }) // '19.99'
 */
export function decimalAmount(money: Money): string {
  const digits = minorDigits(money.currency);
  const units = String(Math.abs(money.amount)).padStart(digits + 1, '0');
  const sign = money.amount < 0 ? '-' : '';
  return digits === 0
    ? `${sign}${units}`
    : `${sign}${units.slice(0, -digits)}.${units.slice(-digits)}`;
}

/**
 * Minor units from what a shopper types into a price filter ("12", "12.5", "12,50"); undefined
 * when it is empty or not a price.
 * @example parseMajorAmount('12,50', 'EUR') // 1250
 */
export function parseMajorAmount(
  text: string | null | undefined,
  currency: string,
): number | undefined {
  const trimmed = (text ?? '').trim().replace(',', '.');
  if (!/^\d{1,9}(\.\d+)?$/.test(trimmed)) return undefined;
  const digits = minorDigits(currency);
  const [whole = '0', fraction = ''] = trimmed.split('.');
  if (fraction.length > digits) return undefined;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}
