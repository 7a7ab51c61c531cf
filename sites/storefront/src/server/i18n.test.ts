import { describe, expect, it } from 'vitest';
import { formatDate, isMessageKey, localePath, splitLocale, translate } from './i18n.js';

describe('locales in paths', () => {
  it('reads German from /de and English from everything else', () => {
    expect(splitLocale('/de')).toEqual({ locale: 'de', path: '/' });
    expect(splitLocale('/de/p/kettle')).toEqual({ locale: 'de', path: '/p/kettle' });
    expect(splitLocale('/p/kettle')).toEqual({ locale: 'en', path: '/p/kettle' });
    // A product whose slug starts with "de" is no German page.
    expect(splitLocale('/design')).toEqual({ locale: 'en', path: '/design' });
  });

  it('builds the path of a page in each language', () => {
    expect(localePath('de', '/')).toBe('/de');
    expect(localePath('de', '/cart')).toBe('/de/cart');
    expect(localePath('en', '/cart')).toBe('/cart');
  });
});

describe('texts', () => {
  it('fills placeholders in each language', () => {
    expect(translate('en', 'fewLeft', { n: 3 })).toBe('Only 3 left');
    expect(translate('de', 'fewLeft', { n: 3 })).toBe('Nur noch 3 verfügbar');
  });

  it('knows which keys are messages (a notice from the session is checked)', () => {
    expect(isMessageKey('added')).toBe(true);
    expect(isMessageKey('constructor')).toBe(false);
    expect(isMessageKey('<script>')).toBe(false);
  });

  it('formats dates per locale in UTC', () => {
    expect(formatDate('2026-12-02T10:05:00Z', 'en')).toBe('2 Dec 2026, 10:05');
    expect(formatDate('2026-12-02T10:05:00Z', 'de')).toBe('02.12.2026, 10:05');
  });
});
