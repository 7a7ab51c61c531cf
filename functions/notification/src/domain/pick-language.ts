/** The languages the templates are written in; the first is the fallback. */
export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * The template language and the locale for numbers and dates of a BCP 47 tag: `de-AT` → German
 * with Austrian formats; an unknown or missing tag → English (`en-GB` formats by default).
 * @example pickLanguage('de-AT') // { language: 'de', locale: 'de-AT' }
 */
export function pickLanguage(
  tag: string | null | undefined,
  fallbackLocale = 'en-GB',
): { language: Language; locale: string } {
  let canonical: string | undefined;
  try {
    canonical = tag ? Intl.getCanonicalLocales(tag)[0] : undefined;
  } catch {
    canonical = undefined;
  }
  const base = canonical?.split('-')[0]?.toLowerCase();
  const language = LANGUAGES.find((l) => l === base);
  if (!language || !canonical) return { language: 'en', locale: fallbackLocale };
  return { language, locale: canonical };
}
