import { describe, expect, it } from 'vitest';
import { extractCampaign, extractClickId } from './extract-attribution.js';

const click = '0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b';

describe('extractClickId', () => {
  it('prefers properties.clickId, then context.page.url, then properties.url', () => {
    const other = '0197a3b2-7c1e-7d4f-8a9b-000000000000';
    expect(
      extractClickId(
        { page: { url: `https://s.example/?shop_click=${other}` } },
        { clickId: click },
        'shop_click',
      ),
    ).toBe(click);
    expect(
      extractClickId({ page: { url: `https://s.example/?shop_click=${click}` } }, {}, 'shop_click'),
    ).toBe(click);
    expect(
      extractClickId({}, { url: `https://s.example/x?a=1&shop_click=${click}` }, 'shop_click'),
    ).toBe(click);
  });

  it('finds none when the value is not a UUID or the URL does not parse', () => {
    expect(
      extractClickId({ page: { url: 'https://s.example/?shop_click=1%27--' } }, {}, 'shop_click'),
    ).toBeNull();
    expect(
      extractClickId({ page: { url: 'not a url' } }, { clickId: 42 }, 'shop_click'),
    ).toBeNull();
  });
});

describe('extractCampaign', () => {
  it("takes Segment's context.campaign first", () => {
    expect(
      extractCampaign({ campaign: { name: 'summer', source: 'news', medium: 'email' } }, {}),
    ).toEqual({
      source: 'news',
      medium: 'email',
      name: 'summer',
      term: null,
      content: null,
    });
  });

  it('else reads the utm_* parameters of the page URL, and is null when there are none', () => {
    expect(
      extractCampaign(
        { page: { url: 'https://s.example/?utm_source=a&utm_term=b&utm_content=c' } },
        {},
      ),
    ).toMatchObject({ source: 'a', term: 'b', content: 'c' });
    expect(extractCampaign({ page: { url: 'https://s.example/' } }, {})).toBeNull();
  });

  it('drops values the catalog would refuse (control characters, too long)', () => {
    expect(
      extractCampaign({ campaign: { source: 'a\u0001', name: 'x'.repeat(501) } }, {}),
    ).toBeNull();
  });
});
