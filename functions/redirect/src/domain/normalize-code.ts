// Link codes: Unicode letters, digits, marks, `-` and `_`, NFC-normalised so a code typed on
// any keyboard finds the same link; case-insensitive unless the link says otherwise.

const CODE = /^[\p{L}\p{N}\p{M}_-]{1,64}$/u;

/**
 * The stored form of a code, or undefined when it is not one.
 * @example normalizeCode('  Summer-Sale ') // 'Summer-Sale'
 */
export function normalizeCode(raw: string): string | undefined {
  const code = raw.trim().normalize('NFC');
  return CODE.test(code) ? code : undefined;
}

/**
 * The key a code is looked up by: itself for a case-sensitive link, else lower-cased.
 * @example codeKeyOf('Summer-Sale', false) // 'summer-sale'
 */
export function codeKeyOf(code: string, caseSensitive: boolean): string {
  return caseSensitive ? code : code.toLowerCase();
}

/** The keys a requested code may match, most specific first (exact, then lower-case). */
export function lookupKeysOf(requested: string): string[] {
  const lower = requested.toLowerCase();
  return lower === requested ? [requested] : [requested, lower];
}
