import { describe, expect, it } from 'vitest';
import { countryCode, isCountryCode } from './country-code.js';

describe('countryCode', () => {
  it('accepts the assigned ISO 3166-1 alpha-2 codes, all 249 of them', () => {
    for (const code of ['DE', 'AT', 'GB', 'US', 'JP', 'SS', 'AQ']) {
      expect(countryCode().safeParse(code).success, code).toBe(true);
    }
    let assigned = 0;
    for (let a = 65; a <= 90; a++) {
      for (let b = 65; b <= 90; b++) {
        if (isCountryCode(String.fromCharCode(a, b))) assigned += 1;
      }
    }
    expect(assigned).toBe(249);
  });

  it('refuses reserved and user-assigned codes, lower case and anything else', () => {
    for (const code of [
      'EU',
      'UK',
      'XK',
      'ZZ',
      'AA',
      'QO',
      'de',
      'De',
      'DEU',
      'D',
      '',
      ' DE',
      'D\u0000',
    ]) {
      expect(countryCode().safeParse(code).success, code).toBe(false);
    }
    expect(countryCode().safeParse(49).success).toBe(false);
  });
});
