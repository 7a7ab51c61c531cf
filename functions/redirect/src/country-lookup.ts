// Country of an IP from the IP-to-country database shipped as an npm package
// (@ip-location-db/geo-whois-asn-country, CC0: built from the registries' WHOIS and ASN data),
// read once into sorted ranges and searched in O(log n). No network call, no raw IP kept.
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

/** Looks up the ISO 3166-1 alpha-2 country of an IPv4 or IPv6 address; null when unknown. */
export type CountryLookup = (ip: string) => string | null;

interface Ranges<N> {
  starts: N[];
  ends: N[];
  countries: string[];
}

function search<N>(ranges: Ranges<N>, value: N): string | null {
  let low = 0;
  let high = ranges.starts.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if ((ranges.starts[mid] as N) > value) high = mid - 1;
    else if ((ranges.ends[mid] as N) < value) low = mid + 1;
    else return ranges.countries[mid] ?? null;
  }
  return null;
}

function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function ipv6Number(ip: string): bigint {
  let address = ip;
  // An IPv4 tail (::ffff:1.2.3.4) becomes its two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4?.[1]) {
    const n = ipv4Number(v4[1]);
    address = `${address.slice(0, -v4[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? headGroups
      : [
          ...headGroups,
          ...Array(8 - headGroups.length - tailGroups.length).fill('0'),
          ...tailGroups,
        ];
  return groups.reduce((n, group) => (n << 16n) + BigInt(Number.parseInt(group || '0', 16)), 0n);
}

/**
 * A lookup over explicit ranges (tests, or data read elsewhere).
 * @example const lookup = countryLookupFrom([['1.0.0.0', '1.0.0.255', 'AU']]);
 */
export function countryLookupFrom(rows: readonly [string, string, string][]): CountryLookup {
  const v4: Ranges<number> = { starts: [], ends: [], countries: [] };
  const v6: Ranges<bigint> = { starts: [], ends: [], countries: [] };
  const sorted = [...rows].sort(([a], [b]) =>
    isIP(a) === 4 && isIP(b) === 4 ? ipv4Number(a) - ipv4Number(b) : 0,
  );
  for (const [start, end, country] of sorted) {
    if (isIP(start) === 4) {
      v4.starts.push(ipv4Number(start));
      v4.ends.push(ipv4Number(end));
      v4.countries.push(country);
    } else {
      v6.starts.push(ipv6Number(start));
      v6.ends.push(ipv6Number(end));
      v6.countries.push(country);
    }
  }
  return lookupOver(v4, v6);
}

function lookupOver(v4: Ranges<number>, v6: Ranges<bigint>): CountryLookup {
  return (ip) => {
    const address = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    switch (isIP(address)) {
      case 4:
        return search(v4, ipv4Number(address));
      case 6:
        return search(v6, ipv6Number(address.split('%')[0] ?? address));
      default:
        return null;
    }
  };
}

async function readRanges<N>(file: string, parse: (text: string) => N): Promise<Ranges<N>> {
  const ranges: Ranges<N> = { starts: [], ends: [], countries: [] };
  const lines = createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    const [start, end, country] = line.split(',');
    if (!start || !end || !country || country.length !== 2) continue;
    ranges.starts.push(parse(start));
    ranges.ends.push(parse(end));
    ranges.countries.push(country);
  }
  return ranges;
}

/**
 * Reads the shipped database (≈ 550,000 ranges, about a second): the files are sorted by
 * their start, as the package publishes them.
 * @example const lookup = await loadCountryLookup(); lookup('1.0.0.1') // 'AU'
 */
export async function loadCountryLookup(): Promise<CountryLookup> {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@ip-location-db/geo-whois-asn-country/package.json'));
  const [v4, v6] = await Promise.all([
    readRanges(join(dir, 'geo-whois-asn-country-ipv4-num.csv'), Number),
    readRanges(join(dir, 'geo-whois-asn-country-ipv6-num.csv'), BigInt),
  ]);
  return lookupOver(v4, v6);
}
