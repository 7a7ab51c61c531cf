// ISO 3166-1 alpha-2 country codes, the assigned ones only (no reserved or user-assigned codes
// such as EU, UK, XK or ZZ), from the iso-3166 package, which follows the ISO maintenance agency.
import { z } from '@hono/zod-openapi';
import { iso31661 } from 'iso-3166/1.js';

const ASSIGNED = new Set(iso31661.map((entry) => entry.alpha2));

/**
 * Whether `code` is an assigned ISO 3166-1 alpha-2 code, in upper case.
 * @example isCountryCode('DE') // true; isCountryCode('de') // false; isCountryCode('EU') // false
 */
export function isCountryCode(code: string): boolean {
  return ASSIGNED.has(code);
}

/**
 * The schema of an address's `country`: an assigned ISO 3166-1 alpha-2 code in upper case. Lower
 * case is refused rather than changed, so what is stored is exactly what was sent.
 * @example const Address = z.strictObject({ city: text({ max: 100 }), country: countryCode() });
 */
export function countryCode() {
  return z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE')
    .refine(isCountryCode, 'is not an assigned ISO 3166-1 alpha-2 country code')
    .openapi({
      example: 'DE',
      description: 'ISO 3166-1 alpha-2 country code (assigned, upper case).',
    });
}
