import { describe, expect, it } from 'vitest';
import { newLinkBody } from './link.js';

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
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
