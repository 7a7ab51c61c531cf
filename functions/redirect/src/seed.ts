// Demo links for the embedded database (npm run dev): /r/summer-sale to the landing page and a
// few that show the other answers. Idempotent: a restart on the same PGLITE_DATA_DIR keeps them.
import { type Database, newId } from '@shop/shared';
import type { Link } from './domain/link.js';
import { codeKeyOf } from './domain/normalize-code.js';
import { insertLink } from './store.js';

/** The demo links, pointing at `landingUrl` (the landing site, e.g. http://localhost:4322). */
export function demoLinks(landingUrl: string, now: Date): Link[] {
  const base = landingUrl.replace(/\/+$/, '');
  const link = (code: string, fields: Partial<Link>): Link => ({
    id: newId(),
    code,
    codeKey: codeKeyOf(code, false),
    caseSensitive: false,
    destinationUrl: `${base}/`,
    affiliateId: null,
    campaign: null,
    utm: {},
    status: 'active',
    redirectStatus: 302,
    expiresAt: null,
    expiredUrl: null,
    rules: [],
    variants: [],
    passwordHash: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: null,
    ...fields,
  });
  return [
    link('summer-sale', {
      destinationUrl: `${base}/summer-sale`,
      affiliateId: 'demo-affiliate',
      campaign: 'summer-sale',
      utm: { utm_source: 'demo-affiliate', utm_medium: 'affiliate', utm_campaign: 'summer-sale' },
    }),
    link('winter-preview', {
      destinationUrl: `${base}/`,
      campaign: 'winter-preview',
      variants: [
        { destinationUrl: `${base}/?variant=a`, weight: 50 },
        { destinationUrl: `${base}/?variant=b`, weight: 50 },
      ],
    }),
    link('spring-2020', {
      campaign: 'spring-2020',
      expiresAt: new Date('2020-06-01T00:00:00Z'),
    }),
    link('retired', { status: 'disabled' }),
  ];
}

/** Inserts the demo links that are not there yet; returns how many it added. */
export async function seedLinks(db: Database, landingUrl: string, now = new Date()) {
  let added = 0;
  for (const link of demoLinks(landingUrl, now)) {
    if (await insertLink(db, link, { ifAbsent: true })) added += 1;
  }
  return { links: added, example: '/r/summer-sale' };
}
