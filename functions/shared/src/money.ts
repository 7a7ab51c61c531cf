// Money is integer minor units with its currency; arithmetic on it either is exact or throws.
// A double holds every integer up to 2^53 − 1 exactly, so each result is checked to stay a safe
// integer: past that, sums and products round silently.

/**
 * An amount of money: integer minor units (cents for EUR) and its ISO 4217 currency.
 * @example const price: Money = { amount: 4990, currency: 'EUR' }; // 49.90 €
 */
export interface Money {
  /** Integer minor units, a safe integer. */
  amount: number;
  /** ISO 4217 code, uppercase (`EUR`). */
  currency: string;
}

/**
 * Thrown when an amount (or a quantity) is not an integer, or a result would leave the
 * safe-integer range (±Number.MAX_SAFE_INTEGER), or a currency is not an ISO 4217 code.
 * @example try { multiplyMoney(price, 1e20); } catch (error) { error instanceof MoneyRangeError; } // true
 */
export class MoneyRangeError extends RangeError {
  override name = 'MoneyRangeError';
}

/**
 * Thrown when amounts in different currencies are added.
 * @example addMoney(money(100, 'EUR'), money(100, 'USD')); // throws CurrencyMismatchError
 */
export class CurrencyMismatchError extends Error {
  override name = 'CurrencyMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`Cannot combine ${actual} with ${expected}: amounts in different currencies.`);
  }
}

/**
 * The largest unit price a product may have: 100,000,000 minor units (1,000,000.00 in a currency
 * of two decimals). With at most 99 of a product on a line and 100 lines in a cart, an order
 * total stays below 10^12, far inside the safe-integer range.
 * @example AmountSchema = z.int().min(0).max(MAX_UNIT_AMOUNT);
 */
export const MAX_UNIT_AMOUNT = 100_000_000;

/**
 * The largest amount a total, a payment or a refund may have: 10^12 minor units. A thousand of
 * them still sum to a safe integer (10^15 < 2^53 − 1).
 * @example const amount = z.int().nonnegative().max(MAX_AMOUNT);
 */
export const MAX_AMOUNT = 1_000_000_000_000;

const CURRENCY = /^[A-Z]{3}$/;

function checkAmount(amount: number, what: string): number {
  if (!Number.isSafeInteger(amount)) {
    throw new MoneyRangeError(
      Number.isInteger(amount)
        ? `${what} ${amount} is beyond the safe-integer range (±${Number.MAX_SAFE_INTEGER}).`
        : `${what} ${amount} is not an integer number of minor units.`,
    );
  }
  return amount;
}

function checkMoney(value: Money): Money {
  checkAmount(value.amount, 'The amount');
  if (!CURRENCY.test(value.currency)) {
    throw new MoneyRangeError(
      `${JSON.stringify(value.currency)} is not an ISO 4217 currency code.`,
    );
  }
  return value;
}

/**
 * Money of `amount` minor units in `currency`, checked: a safe integer and an ISO 4217 code.
 * @example money(4990, 'EUR'); // { amount: 4990, currency: 'EUR' }
 */
export function money(amount: number, currency: string): Money {
  return checkMoney({ amount, currency });
}

/**
 * The sum of two amounts of one currency.
 * @example addMoney(money(1000, 'EUR'), money(250, 'EUR')); // { amount: 1250, currency: 'EUR' }
 */
export function addMoney(a: Money, b: Money): Money {
  checkMoney(a);
  checkMoney(b);
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return { amount: checkAmount(a.amount + b.amount, 'The sum'), currency: a.currency };
}

/**
 * An amount times an integer quantity (a line total: unit price × quantity).
 * @example multiplyMoney(money(1250, 'EUR'), 3); // { amount: 3750, currency: 'EUR' }
 */
export function multiplyMoney(value: Money, quantity: number): Money {
  checkMoney(value);
  checkAmount(quantity, 'The quantity');
  // Both factors are safe integers, so a product that is still one is exact.
  return { amount: checkAmount(value.amount * quantity, 'The product'), currency: value.currency };
}

/**
 * The sum of a list of amounts, all in `currency` (an empty list sums to zero in it).
 * @example sumMoney([money(100, 'EUR'), money(200, 'EUR')], 'EUR'); // { amount: 300, currency: 'EUR' }
 */
export function sumMoney(list: readonly Money[], currency: string): Money {
  return list.reduce(addMoney, money(0, currency));
}
