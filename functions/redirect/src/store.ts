// SQL for the `redirect` schema: links and their daily click counts.
import type { Queryable } from '@shop/shared';
import type { Link, LinkRule, LinkVariant } from './domain/link.js';

interface LinkRow {
  id: string;
  code: string;
  code_key: string;
  case_sensitive: boolean;
  destination_url: string;
  affiliate_id: string | null;
  campaign: string | null;
  utm: Record<string, string>;
  status: Link['status'];
  redirect_status: number;
  expires_at: Date | null;
  expired_url: string | null;
  rules: LinkRule[];
  variants: LinkVariant[];
  password_hash: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  created_by: string | null;
}

const COLUMNS = `id, code, code_key, case_sensitive, destination_url, affiliate_id, campaign, utm,
  status, redirect_status, expires_at, expired_url, rules, variants, password_hash, version,
  created_at, updated_at, created_by`;

function toLink(row: LinkRow): Link {
  return {
    id: row.id,
    code: row.code,
    codeKey: row.code_key,
    caseSensitive: row.case_sensitive,
    destinationUrl: row.destination_url,
    affiliateId: row.affiliate_id,
    campaign: row.campaign,
    utm: row.utm,
    status: row.status,
    redirectStatus: row.redirect_status === 301 ? 301 : 302,
    expiresAt: row.expires_at && new Date(row.expires_at),
    expiredUrl: row.expired_url,
    rules: row.rules,
    variants: row.variants,
    passwordHash: row.password_hash,
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    createdBy: row.created_by,
  };
}

/** Values in column order for INSERT and UPDATE. */
function values(link: Link): unknown[] {
  return [
    link.id,
    link.code,
    link.codeKey,
    link.caseSensitive,
    link.destinationUrl,
    link.affiliateId,
    link.campaign,
    JSON.stringify(link.utm),
    link.status,
    link.redirectStatus,
    link.expiresAt,
    link.expiredUrl,
    JSON.stringify(link.rules),
    JSON.stringify(link.variants),
    link.passwordHash,
    link.version,
    link.createdAt,
    link.updatedAt,
    link.createdBy,
  ];
}

/**
 * Inserts a link; a taken code key throws the driver's unique violation (23505), or with
 * `ifAbsent` inserts nothing and returns null (seeding).
 */
export async function insertLink(
  db: Queryable,
  link: Link,
  options: { ifAbsent?: boolean } = {},
): Promise<Link | null> {
  const { rows } = await db.query<LinkRow>(
    `INSERT INTO redirect.link (${COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
     ${options.ifAbsent ? 'ON CONFLICT DO NOTHING' : ''}
     RETURNING ${COLUMNS}`,
    values(link),
  );
  return rows[0] ? toLink(rows[0]) : null;
}

/** Writes every field of `link` if the row is still at `expectedVersion`; null otherwise. */
export async function updateLink(
  db: Queryable,
  link: Link,
  expectedVersion: number,
): Promise<Link | null> {
  const { rows } = await db.query<LinkRow>(
    `UPDATE redirect.link SET code = $2, code_key = $3, case_sensitive = $4,
       destination_url = $5, affiliate_id = $6, campaign = $7, utm = $8, status = $9,
       redirect_status = $10, expires_at = $11, expired_url = $12, rules = $13, variants = $14,
       password_hash = $15, version = $16, updated_at = $17
     WHERE id = $1 AND version = $18
     RETURNING ${COLUMNS}`,
    [...values(link).slice(0, 16), link.updatedAt, expectedVersion],
  );
  return rows[0] ? toLink(rows[0]) : null;
}

export async function findLinkById(
  db: Queryable,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Link | null> {
  const { rows } = await db.query<LinkRow>(
    `SELECT ${COLUMNS} FROM redirect.link WHERE id = $1 ${options.lock ? 'FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ? toLink(rows[0]) : null;
}

/** The link whose lookup key is `codeKey` (see `codeKeyOf`), or null. */
export async function findLinkByKey(db: Queryable, codeKey: string): Promise<Link | null> {
  const { rows } = await db.query<LinkRow>(
    `SELECT ${COLUMNS} FROM redirect.link WHERE code_key = $1`,
    [codeKey],
  );
  return rows[0] ? toLink(rows[0]) : null;
}

export interface LinkListing {
  /** Matches code, destination, affiliate or campaign (case-insensitive substring). */
  q?: string;
  status?: Link['status'];
  affiliateId?: string;
  campaign?: string;
  limit: number;
  /** The last link of the previous page (newest first). */
  after?: { createdAt: Date; id: string };
}

/** A page of links, newest first, one more than `limit` when there is a next page. */
export async function listLinks(db: Queryable, listing: LinkListing): Promise<Link[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (listing.q) {
    const pattern = param(`%${listing.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(
      `(code ILIKE ${pattern} OR destination_url ILIKE ${pattern} OR affiliate_id ILIKE ${pattern} OR campaign ILIKE ${pattern})`,
    );
  }
  if (listing.status) where.push(`status = ${param(listing.status)}`);
  if (listing.affiliateId) where.push(`affiliate_id = ${param(listing.affiliateId)}`);
  if (listing.campaign) where.push(`campaign = ${param(listing.campaign)}`);
  if (listing.after) {
    where.push(
      `(created_at, id) < (${param(listing.after.createdAt)}::timestamptz, ${param(listing.after.id)}::uuid)`,
    );
  }
  const { rows } = await db.query<LinkRow>(
    `SELECT ${COLUMNS} FROM redirect.link
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, id DESC LIMIT ${param(listing.limit + 1)}`,
    params,
  );
  return rows.map(toLink);
}

/** One day's counts of a link. */
export interface DailyClicks {
  day: string;
  clicks: number;
  botClicks: number;
}

/** Adds counted clicks, one statement for a whole batch. */
export async function addDailyClicks(
  db: Queryable,
  counts: readonly { linkId: string; day: string; clicks: number; botClicks: number }[],
): Promise<void> {
  if (counts.length === 0) return;
  await db.query(
    `INSERT INTO redirect.link_daily_clicks (link_id, day, clicks, bot_clicks)
     SELECT c.link_id, c.day, c.clicks, c.bot_clicks
     FROM json_to_recordset($1::json) AS c(link_id uuid, day date, clicks bigint, bot_clicks bigint)
     WHERE EXISTS (SELECT 1 FROM redirect.link l WHERE l.id = c.link_id)
     ON CONFLICT (link_id, day) DO UPDATE SET
       clicks = redirect.link_daily_clicks.clicks + EXCLUDED.clicks,
       bot_clicks = redirect.link_daily_clicks.bot_clicks + EXCLUDED.bot_clicks`,
    [
      JSON.stringify(
        counts.map((c) => ({
          link_id: c.linkId,
          day: c.day,
          clicks: c.clicks,
          bot_clicks: c.botClicks,
        })),
      ),
    ],
  );
}

/** A link's counts per day from `since` (inclusive), oldest first. */
export async function dailyClicks(
  db: Queryable,
  linkId: string,
  since: string,
): Promise<DailyClicks[]> {
  const { rows } = await db.query<{ day: string; clicks: string; bot_clicks: string }>(
    `SELECT day::text AS day, clicks, bot_clicks FROM redirect.link_daily_clicks
     WHERE link_id = $1 AND day >= $2::date ORDER BY day`,
    [linkId, since],
  );
  return rows.map((row) => ({
    day: row.day,
    clicks: Number(row.clicks),
    botClicks: Number(row.bot_clicks),
  }));
}
