import { describe, expect, it } from 'vitest';
import { countryLookupFrom, loadCountryLookup } from './country-lookup.js';

describe('country lookup', () => {
  it('finds the range an address falls in, IPv4 and IPv6', () => {
    const lookup = countryLookupFrom([
      ['1.0.0.0', '1.0.0.255', 'AU'],
      ['5.0.0.0', '5.0.255.255', 'DE'],
      ['2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'NL'],
    ]);
    expect(lookup('1.0.0.7')).toBe('AU');
    expect(lookup('5.0.3.4')).toBe('DE');
    expect(lookup('::ffff:5.0.3.4')).toBe('DE');
    expect(lookup('2001:db8::1')).toBe('NL');
    expect(lookup('4.4.4.4')).toBeNull();
    expect(lookup('not an ip')).toBeNull();
  });

  it('reads the shipped database', async () => {
    const lookup = await loadCountryLookup();
    expect(lookup('1.0.0.1')).toBe('AU');
    expect(lookup('8.8.8.8')).toBe('US');
    expect(lookup('127.0.0.1')).toBeNull();
    expect(lookup('2001:4860:4860::8888')).toBe('US');
  });
});
