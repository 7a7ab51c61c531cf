// English at /<campaign>, German at /de/<campaign>: the locale comes from the path, the site's own
// texts from this table (a campaign's texts come from its content file of that locale).

export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];

/** The BCP 47 tag of each locale (`lang`, `hreflang`, Open Graph). */
export const LOCALE_TAGS: Record<Locale, string> = { en: 'en-GB', de: 'de-DE' };

/**
 * `path` (without a prefix) in `locale`.
 * @example localePath('de', '/summer-sale') // '/de/summer-sale'
 */
export function localePath(locale: Locale, path: string): string {
  if (locale === 'en') return path;
  return path === '/' ? '/de' : `/de${path}`;
}

const en = {
  skip: 'Skip to content',
  language: 'Deutsch',
  languageLabel: 'Language',
  featured: 'Picked for this campaign',
  viewProduct: 'View {name} in the shop',
  shop: 'Go to the shop',
  campaigns: 'Campaigns',
  notFoundTitle: 'Page not found',
  notFoundText: 'This campaign has ended or never existed.',
  promo: 'Offer',
  footer: 'Prices and availability as shown in the shop.',
};

const de: typeof en = {
  skip: 'Zum Inhalt springen',
  language: 'English',
  languageLabel: 'Sprache',
  featured: 'Für diese Aktion ausgewählt',
  viewProduct: '{name} im Shop ansehen',
  shop: 'Zum Shop',
  campaigns: 'Aktionen',
  notFoundTitle: 'Seite nicht gefunden',
  notFoundText: 'Diese Aktion ist vorbei oder hat es nie gegeben.',
  promo: 'Angebot',
  footer: 'Preise und Verfügbarkeit wie im Shop angezeigt.',
};

export type MessageKey = keyof typeof en;
const MESSAGES: Record<Locale, typeof en> = { en, de };

/**
 * The text of `key` in `locale`, `{name}` placeholders filled in.
 * @example translate('de', 'viewProduct', { name: 'Zelt' }) // 'Zelt im Shop ansehen'
 */
export function translate(
  locale: Locale,
  key: MessageKey,
  values: Record<string, string> = {},
): string {
  return MESSAGES[locale][key].replace(
    /\{(\w+)\}/g,
    (whole, name: string) => values[name] ?? whole,
  );
}
