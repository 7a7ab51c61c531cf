import type { Money } from '@shop/shared';

/** The minor-unit digits of a currency as Intl knows them (EUR 2, JPY 0, KWD 3). */
export function minorUnitDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/**
 * Integer minor units as the locale writes money. The amount is turned into an exact decimal
 * string first (Intl formats strings without going through a double), so no cent is lost.
 * @example formatMoney({ amount: 123456, currency: 'EUR' }, 'de-DE') // '1.234,56 €'
 */
export function formatMoney(value: Money, locale: string): string {
  if (!Number.isSafeInteger(value.amount)) throw new RangeError('amount must be a safe integer');
  const digits = minorUnitDigits(value.currency);
  const negative = value.amount < 0;
  const units = String(Math.abs(value.amount)).padStart(digits + 1, '0');
  const decimal =
    digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(units.length - digits)}`;
  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: value.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return formatter.format(`${negative ? '-' : ''}${decimal}` as Intl.StringNumericLiteral);
}
