import { describe, expect, it } from 'vitest';
import { fieldErrors, newLinkBody, ruleConditions, variantShares } from './link.js';

const form = (fields: Record<string, string | string[]>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) data.append(name, item);
  }
  return data;
};

describe('a new link from its form', () => {
  it('leaves empty fields out and groups the UTM parameters', () => {
    expect(
      newLinkBody(
        form({
          code: ' spring ',
          destinationUrl: 'https://shop.example/spring',
          affiliateId: '',
          campaign: 'spring',
          utm_source: 'blog',
          utm_medium: '',
          utm_campaign: 'spring',
          redirectStatus: '302',
          expiresAt: '',
        }),
      ),
    ).toEqual({
      code: 'spring',
      destinationUrl: 'https://shop.example/spring',
      campaign: 'spring',
      utm: { source: 'blog', campaign: 'spring' },
      redirectStatus: 302,
    });
  });

  it('sends a 301 only when asked, and the expiry as an instant', () => {
    const body = newLinkBody(
      form({
        code: 'x',
        destinationUrl: 'https://shop.example/',
        redirectStatus: '301',
        expiresAt: '2027-01-31T18:00',
      }),
    );
    expect(body.redirectStatus).toBe(301);
    expect(body.expiresAt).toBe(new Date('2027-01-31T18:00').toISOString());
    expect(body).not.toHaveProperty('utm');
  });
});

describe('rules, an A/B split and a password from the form', () => {
  it('sends rule rows in order with their lists normalised and empty conditions left out', () => {
    const body = newLinkBody(
      form({
        code: 'ab',
        destinationUrl: 'https://shop.example/',
        'rules.0.countries': 'de, at;ch  DE',
        'rules.0.os': '',
        'rules.0.languages': '',
        'rules.0.destinationUrl': ' https://shop.example/dach ',
        'rules.1.countries': '',
        'rules.1.devices': ['mobile', 'tablet'],
        'rules.1.os': 'iOS',
        'rules.1.languages': 'FR',
        'rules.1.destinationUrl': 'https://shop.example/m',
      }),
    );
    expect(body.rules).toEqual([
      { countries: ['DE', 'AT', 'CH'], destinationUrl: 'https://shop.example/dach' },
      {
        devices: ['mobile', 'tablet'],
        os: ['ios'],
        languages: ['fr'],
        destinationUrl: 'https://shop.example/m',
      },
    ]);
  });

  it('sends variants with numeric weights (anything else as typed, for redirect to name)', () => {
    const body = newLinkBody(
      form({
        code: 'ab',
        destinationUrl: 'https://shop.example/',
        'variants.0.destinationUrl': 'https://shop.example/a',
        'variants.0.weight': '70',
        'variants.1.destinationUrl': 'https://shop.example/b',
        'variants.1.weight': 'x',
      }),
    );
    expect(body.variants).toEqual([
      { destinationUrl: 'https://shop.example/a', weight: 70 },
      { destinationUrl: 'https://shop.example/b', weight: 'x' },
    ]);
    expect(body).not.toHaveProperty('rules');
  });

  it('sends a password untrimmed, and none when the field is empty', () => {
    const base = { code: 'p', destinationUrl: 'https://shop.example/' };
    expect(newLinkBody(form({ ...base, password: ' secret words ' })).password).toBe(
      ' secret words ',
    );
    expect(newLinkBody(form({ ...base, password: '' }))).not.toHaveProperty('password');
  });
});

describe("redirect's field errors", () => {
  const fields = ['code', 'destinationUrl', 'rules', 'rules.0', 'rules.0.countries', 'variants'];

  it('go to the deepest field they name or lie under; the rest stay with the problem', () => {
    const { byField, rest } = fieldErrors(
      [
        { name: 'json.destinationUrl', reason: 'must be https' },
        { name: 'json.rules.0.countries.1', reason: 'must be ISO 3166-1 alpha-2 (DE, FR…)' },
        { name: 'json.rules.0', reason: 'name at least one condition' },
        { name: 'json.variants', reason: 'an A/B split needs at least two destinations' },
        { name: 'json.expiredUrl', reason: 'must be https' },
        { name: 'json.destinationUrl', reason: 'is not on the allowlist' },
      ],
      fields,
    );
    expect(Object.fromEntries(byField)).toEqual({
      destinationUrl: ['must be https', 'is not on the allowlist'],
      'rules.0.countries': ['must be ISO 3166-1 alpha-2 (DE, FR…)'],
      'rules.0': ['name at least one condition'],
      variants: ['an A/B split needs at least two destinations'],
    });
    expect(rest).toEqual([{ name: 'json.expiredUrl', reason: 'must be https' }]);
  });

  it('match whole path segments only', () => {
    expect(fieldErrors([{ name: 'json.codes', reason: 'x' }], ['code']).rest).toHaveLength(1);
    expect(fieldErrors(undefined, fields).byField.size).toBe(0);
  });
});

describe("a link's rules and variants on its screen", () => {
  it('names only the conditions a rule has', () => {
    expect(
      ruleConditions({ countries: ['DE', 'AT'], os: [], destinationUrl: 'https://shop.example/' }),
    ).toEqual([['countries', 'DE, AT']]);
  });

  it('shows each variant as its share of the weights', () => {
    expect(variantShares([{ weight: 1 }, { weight: 3 }])).toEqual([25, 75]);
    expect(variantShares([{ weight: 1 }, { weight: 1 }, { weight: 1 }])).toEqual([
      33.3, 33.3, 33.3,
    ]);
  });
});
