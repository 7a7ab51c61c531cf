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
  expiredUrl?: string | null;
  /** First match wins; each names at least one condition. */
  rules: LinkRule[];
  /** An A/B split (two or more), sticky per visitor; empty without one. */
  variants: LinkVariant[];
  hasPassword: boolean;
  version: number;
  createdAt: string;
  /** What staff should know about the link (a 301's caching, …). */
  warnings: string[];
}

export const DEVICES = ['desktop', 'mobile', 'tablet', 'tv', 'other'] as const;

export interface LinkRule {
  countries?: string[];
  devices?: (typeof DEVICES)[number][];
  os?: string[];
  languages?: string[];
  destinationUrl: string;
}

export interface LinkVariant {
  destinationUrl: string;
  weight: number;
}

export interface LinkStats {
  days: { day: string; clicks: number; botClicks: number }[];
  totals: { clicks: number; botClicks: number };
}

/**
 * The body of a new link from its form's fields: empty fields left out, the UTM parameters
 * grouped, the expiry (a local date and time) as an instant; rule rows (`rules.<i>.countries`,
 * `.devices`, `.os`, `.languages` as lists, `.destinationUrl`) and variant rows
 * (`variants.<i>.destinationUrl`, `.weight`) in row order, so redirect's error names
 * (`json.rules.0.destinationUrl`) point at the row; the password only when typed.
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
  const rules = rowIndexes(form, 'rules').map((i) => {
    const list = (name: string, normalise: (item: string) => string) => {
      const items = form
        .getAll(`rules.${i}.${name}`)
        .flatMap((entry) => String(entry).split(/[\s,;]+/))
        .map((item) => normalise(item.trim()))
        .filter(Boolean);
      return items.length > 0 ? { [name]: [...new Set(items)] } : {};
    };
    return {
      ...list('countries', (c) => c.toUpperCase()),
      ...list('devices', (d) => d),
      ...list('os', (o) => o.toLowerCase()),
      ...list('languages', (l) => l.toLowerCase()),
      destinationUrl: value(`rules.${i}.destinationUrl`),
    };
  });
  const variants = rowIndexes(form, 'variants').map((i) => {
    const weight = value(`variants.${i}.weight`);
    return {
      destinationUrl: value(`variants.${i}.destinationUrl`),
      // A weight that is not a number goes as typed: redirect names the field that is wrong.
      weight: /^\d+$/.test(weight) ? Number(weight) : weight,
    };
  });
  // A password is never trimmed: spaces may be part of it.
  const password = String(form.get('password') ?? '');
  return {
    code: value('code'),
    destinationUrl: value('destinationUrl'),
    ...(value('affiliateId') && { affiliateId: value('affiliateId') }),
    ...(value('campaign') && { campaign: value('campaign') }),
    ...(Object.keys(utm).length > 0 && { utm }),
    redirectStatus: value('redirectStatus') === '301' ? 301 : 302,
    ...(expires && { expiresAt: new Date(expires).toISOString() }),
    ...(rules.length > 0 && { rules }),
    ...(variants.length > 0 && { variants }),
    ...(password && { password }),
  };
}

/** The row numbers of `group` (`rules`, `variants`) a form has, in order. */
function rowIndexes(form: FormData, group: string): number[] {
  const rows = new Set<number>();
  for (const name of form.keys()) {
    const match = new RegExp(`^${group}\\.(\\d+)\\.`).exec(name);
    if (match) rows.add(Number(match[1]));
  }
  return [...rows].sort((a, b) => a - b);
}

/** A problem's `errors` sorted to the form's fields, and those no field shows. */
export interface FieldErrors {
  byField: Map<string, string[]>;
  rest: { name: string; reason: string }[];
}

/**
 * Sorts a problem's `errors` (`{ name: 'json.rules.0.destinationUrl', reason }`) to the
 * deepest of `fields` (paths without `json.`) that each name is or lies under; the rest are
 * shown with the problem.
 * @example fieldErrors([{ name: 'json.rules.0.countries.1', reason: 'bad' }], ['rules.0.countries'])
 * // byField: { 'rules.0.countries' => ['bad'] }
 */
export function fieldErrors(
  errors: readonly { name: string; reason: string }[] | undefined,
  fields: readonly string[],
): FieldErrors {
  const byField = new Map<string, string[]>();
  const rest: { name: string; reason: string }[] = [];
  const deepestFirst = [...fields].sort((a, b) => b.length - a.length);
  for (const error of errors ?? []) {
    const name = error.name.replace(/^json\./, '');
    const field = deepestFirst.find((f) => name === f || name.startsWith(`${f}.`));
    if (field) byField.set(field, [...(byField.get(field) ?? []), error.reason]);
    else rest.push(error);
  }
  return { byField, rest };
}

/**
 * The conditions of a rule in words for the detail: each list joined, empty ones left out.
 * @example ruleConditions({ countries: ['DE', 'AT'], destinationUrl: '…' }) // [['countries', 'DE, AT']]
 */
export function ruleConditions(rule: LinkRule): [keyof Omit<LinkRule, 'destinationUrl'>, string][] {
  return (['countries', 'devices', 'os', 'languages'] as const)
    .filter((name) => (rule[name]?.length ?? 0) > 0)
    .map((name) => [name, (rule[name] ?? []).join(', ')]);
}

/**
 * Each variant's share of visitors in percent (weights over their sum, one decimal).
 * @example variantShares([{ weight: 1 }, { weight: 3 }]) // [25, 75]
 */
export function variantShares(variants: readonly { weight: number }[]): number[] {
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  return variants.map((v) => (total > 0 ? Math.round((1000 * v.weight) / total) / 10 : 0));
}
