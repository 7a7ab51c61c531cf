// shop.link.changed as the outbox records it: what changed, and the link after the change.
import type { Link } from './link.js';

export type LinkChange = 'created' | 'updated' | 'disabled' | 'enabled';

const COMPARED = [
  'code',
  'caseSensitive',
  'destinationUrl',
  'affiliateId',
  'campaign',
  'utm',
  'status',
  'redirectStatus',
  'expiresAt',
  'expiredUrl',
  'rules',
  'variants',
  'passwordHash',
] as const;

/** The fields that differ (passwordHash shows as `password`: the hash itself is never sent). */
export function changedFields(before: Link | null, after: Link): string[] {
  return COMPARED.filter(
    (field) => JSON.stringify(before?.[field] ?? null) !== JSON.stringify(after[field] ?? null),
  ).map((field) => (field === 'passwordHash' ? 'password' : field));
}

/**
 * @example events.write(tx, buildLinkChangedEvent('created', null, link, staffId))
 */
export function buildLinkChangedEvent(
  change: LinkChange,
  before: Link | null,
  after: Link,
  changedBy: string | null,
) {
  const codes = [...new Set([after.code, ...(before ? [before.code] : [])])];
  return {
    type: 'shop.link.changed' as const,
    subject: after.id,
    data: {
      linkId: after.id,
      change,
      codes,
      changedFields: changedFields(before, after),
      link: {
        code: after.code,
        caseSensitive: after.caseSensitive,
        destinationUrl: after.destinationUrl,
        affiliateId: after.affiliateId,
        campaign: after.campaign,
        status: after.status,
        redirectStatus: after.redirectStatus,
        expiresAt: after.expiresAt?.toISOString() ?? null,
        hasPassword: after.passwordHash !== null,
        ruleCount: after.rules.length,
        variantCount: after.variants.length,
      },
      changedBy,
      changedAt: after.updatedAt.toISOString(),
    },
  };
}

/** shop.link.created, kept for its consumers: recorded with the first shop.link.changed. */
export function buildLinkCreatedEvent(link: Link, createdBy: string | null) {
  return {
    type: 'shop.link.created' as const,
    subject: link.id,
    data: {
      linkId: link.id,
      code: link.code,
      destinationUrl: link.destinationUrl,
      affiliateId: link.affiliateId,
      campaign: link.campaign,
      createdBy,
      createdAt: link.createdAt.toISOString(),
    },
  };
}
