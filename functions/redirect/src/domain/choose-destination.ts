// Which stored destination a visitor gets: the first matching rule, else a sticky A/B arm,
// else the link's destination.
import { createHash } from 'node:crypto';
import type { Device, Link } from './link.js';

/** What the request says about the visitor, as far as rules care. */
export interface VisitorTraits {
  country: string | null;
  device: Device;
  os: string | null;
  /** Primary language subtags from Accept-Language, by preference. */
  languages: string[];
  /** Stable per visitor (their visitor cookie, else the daily IP hash): picks the A/B arm. */
  stickyKey: string;
}

/** The arm `stickyKey` falls into for this link, by weight; the same key always gets the same. */
function pickVariant(link: Link, stickyKey: string): string {
  const total = link.variants.reduce((sum, variant) => sum + variant.weight, 0);
  const digest = createHash('sha256').update(`${link.id}\n${stickyKey}`).digest();
  let point = digest.readUInt32BE(0) % total;
  for (const variant of link.variants) {
    if (point < variant.weight) return variant.destinationUrl;
    point -= variant.weight;
  }
  return link.destinationUrl;
}

/**
 * @example chooseDestination(link, { country: 'DE', device: 'mobile', os: 'ios', languages: ['de'], stickyKey })
 */
export function chooseDestination(link: Link, visitor: VisitorTraits): string {
  for (const rule of link.rules) {
    if (rule.countries && !(visitor.country && rule.countries.includes(visitor.country))) continue;
    if (rule.devices && !(rule.devices as Device[]).includes(visitor.device)) continue;
    if (rule.os && !(visitor.os && rule.os.includes(visitor.os))) continue;
    if (rule.languages && !rule.languages.some((lang) => visitor.languages.includes(lang)))
      continue;
    return rule.destinationUrl;
  }
  if (link.variants.length > 0) return pickVariant(link, visitor.stickyKey);
  return link.destinationUrl;
}

/**
 * Primary language subtags of an Accept-Language header, by q value, at most 8.
 * @example acceptedLanguages('de-CH,de;q=0.9,en;q=0.8') // ['de', 'en']
 */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  const ranked = header
    .slice(0, 256)
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { lang: tag.split('-')[0]?.toLowerCase() ?? '', q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry) => /^[a-z]{2,3}$/.test(entry.lang) && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  return [...new Set(ranked.map((entry) => entry.lang))].slice(0, 8);
}
