// An affiliate link as redirect's staff routes give it (/api/admin/links).

export interface Link {
  id: string;
  code: string;
  path: string;
  destinationUrl: string;
  affiliateId: string | null;
  campaign: string | null;
  utm: Partial<Record<'source' | 'medium' | 'campaign' | 'term' | 'content', string>>;
  status: 'active' | 'disabled';
  redirectStatus: 301 | 302;
  expiresAt: string | null;
  hasPassword: boolean;
  version: number;
  createdAt: string;
  /** What staff should know about the link (a 301's caching, …). */
  warnings: string[];
}

export interface LinkStats {
  days: { day: string; clicks: number; botClicks: number }[];
  totals: { clicks: number; botClicks: number };
}

/**
 * The body of a new link from its form's fields: empty fields left out, the UTM parameters
 * grouped, the expiry (a local date and time) as an instant.
 * @example newLinkBody(new FormData(form)) // { code: 'spring', destinationUrl: 'https://…', … }
 */
export function newLinkBody(form: FormData): Record<string, unknown> {
  const value = (name: string) => String(form.get(name) ?? '').trim();
  const utm = Object.fromEntries(
    (['source', 'medium', 'campaign'] as const)
      .map((name) => [name, value(`utm_${name}`)])
      .filter(([, v]) => v),
  );
  const expires = value('expiresAt');
  return {
    code: value('code'),
    destinationUrl: value('destinationUrl'),
    ...(value('affiliateId') && { affiliateId: value('affiliateId') }),
    ...(value('campaign') && { campaign: value('campaign') }),
    ...(Object.keys(utm).length > 0 && { utm }),
    redirectStatus: value('redirectStatus') === '301' ? 301 : 302,
    ...(expires && { expiresAt: new Date(expires).toISOString() }),
  };
}
