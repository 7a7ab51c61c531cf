import { jsonSchemaFor } from '@shop/eventing';
import { describe, expect, it } from 'vitest';
import {
  auditedTypes,
  entryLeafHash,
  leafDataOf,
  toAuditRecord,
  traceIdOf,
} from './audit-record.js';

const EMAIL = 'someone@example.com';
type JsonSchema = {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};
/** A value of `schema` with every field the catalog declares an email set to EMAIL. */
function sampleOf(schema: JsonSchema): unknown {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return sampleOf(alternatives.find((s) => s.type !== 'null') ?? {});
  if (schema.properties) {
    return Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [key, sampleOf(value)]),
    );
  }
  if (schema.items) return [sampleOf(schema.items)];
  return schema.format === 'email' ? EMAIL : 'x';
}

const event = (type: string, data: Record<string, unknown>) => ({
  id: 'e1',
  source: '/shop/x',
  type,
  time: undefined,
  traceparent: undefined,
  data,
});

describe('the audit record of an event', () => {
  it('never takes a field the catalog declares an email into an entry, for any audited type', () => {
    const withEmail = auditedTypes.filter((type) =>
      JSON.stringify(sampleOf(jsonSchemaFor(type) as JsonSchema)).includes(EMAIL),
    );
    // The check is not empty: sign-ups carry the address.
    expect(withEmail).toContain('shop.user.registered');
    for (const type of auditedTypes) {
      const data = sampleOf(jsonSchemaFor(type) as JsonSchema) as Record<string, unknown>;
      expect(JSON.stringify(toAuditRecord(event(type, data))), type).not.toContain(EMAIL);
    }
  });

  it('targets a flag in its environment, with the verified staff subject as actor', () => {
    const record = toAuditRecord(
      event('shop.flag.changed', {
        flagKey: 'new-checkout',
        environment: 'prod',
        change: 'updated',
        changedFields: ['/state'],
        enabled: true,
        rolloutPercent: 10,
        version: 3,
        changedBy: 'staff-1',
        changedAt: '2026-03-01T10:00:00.123456Z',
      }),
    );
    expect(record).toMatchObject({
      action: 'shop.flag.changed',
      actor: 'staff-1',
      targetType: 'flag',
      targetId: 'new-checkout@prod',
      after: { change: 'updated', enabled: true, rolloutPercent: 10, version: 3 },
      occurredAt: '2026-03-01T10:00:00.123Z',
    });
  });

  it('records a product edit as the changed fields before and after, and a stock adjustment as its counts', () => {
    const productId = '0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b';
    const edited = toAuditRecord(
      event('shop.offer.changed', {
        productId,
        slug: 'brass-lamp',
        changedFields: ['name', 'slug'],
        before: { name: 'Lamp', slug: 'lamp' },
        after: { name: 'Brass lamp', slug: 'brass-lamp' },
        changedBy: 'staff-2',
        changedAt: '2026-03-01T10:00:00.000Z',
      }),
    );
    expect(edited).toEqual({
      action: 'shop.offer.changed',
      actor: 'staff-2',
      targetType: 'product',
      targetId: productId,
      before: { name: 'Lamp', slug: 'lamp' },
      after: { name: 'Brass lamp', slug: 'brass-lamp' },
      requestId: null,
      traceId: null,
      occurredAt: '2026-03-01T10:00:00.000Z',
    });
    const adjusted = toAuditRecord(
      event('shop.offer.stock_adjusted', {
        productId,
        slug: 'brass-lamp',
        previousStock: 12,
        stock: 0,
        adjustedBy: 'staff-3',
        adjustedAt: '2026-03-01T11:00:00.000Z',
      }),
    );
    expect(adjusted).toMatchObject({
      action: 'shop.offer.stock_adjusted',
      actor: 'staff-3',
      targetType: 'product',
      targetId: productId,
      before: { stock: 12 },
      after: { stock: 0 },
      occurredAt: '2026-03-01T11:00:00.000Z',
    });
    expect(adjusted.after).toEqual({ stock: 0 });
  });

  it('records the reason and note of a stock adjustment beside the count', () => {
    const productId = '0190a000-0000-7000-8000-0000000000a1';
    const adjusted = toAuditRecord(
      event('shop.offer.stock_adjusted', {
        productId,
        slug: 'brass-lamp',
        previousStock: 12,
        stock: 10,
        reason: 'damaged',
        note: 'Two broken in transit',
        adjustedBy: 'staff-3',
        adjustedAt: '2026-03-01T11:00:00.000Z',
      }),
    );
    expect(adjusted).toMatchObject({
      before: { stock: 12 },
      after: { stock: 10, reason: 'damaged', note: 'Two broken in transit' },
    });
  });

  it('records a key rotation with the key ids and the staff member who rotated', () => {
    const record = toAuditRecord(
      event('shop.auth.key_rotated', {
        kid: 'k2',
        previousKid: 'k1',
        rotatedBy: 'staff-4',
        rotatedAt: '2026-03-01T12:00:00.000Z',
      }),
    );
    expect(record).toMatchObject({
      action: 'shop.auth.key_rotated',
      actor: 'staff-4',
      targetType: 'signing_key',
      targetId: 'k2',
      before: { currentKid: 'k1' },
      after: { currentKid: 'k2', previousKid: 'k1' },
      occurredAt: '2026-03-01T12:00:00.000Z',
    });
  });

  it('records write-key creation and revocation with the staff actor and the key hint only', () => {
    const sourceId = '0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6c';
    const created = toAuditRecord(
      event('shop.analytics_source.created', {
        sourceId,
        name: 'storefront',
        site: null,
        keyHint: 'wk_abcd…',
        createdBy: 'staff-5',
        createdAt: '2026-03-01T13:00:00.000Z',
      }),
    );
    expect(created).toMatchObject({
      action: 'shop.analytics_source.created',
      actor: 'staff-5',
      targetType: 'analytics_source',
      targetId: sourceId,
      before: null,
      after: { name: 'storefront', site: null, keyHint: 'wk_abcd…', status: 'active' },
    });
    const revoked = toAuditRecord(
      event('shop.analytics_source.revoked', {
        sourceId,
        name: 'storefront',
        keyHint: 'wk_abcd…',
        revokedBy: 'staff-6',
        revokedAt: '2026-03-01T14:00:00.000Z',
      }),
    );
    expect(revoked).toMatchObject({
      actor: 'staff-6',
      targetId: sourceId,
      before: { status: 'active' },
      after: { status: 'revoked' },
      occurredAt: '2026-03-01T14:00:00.000Z',
    });
  });

  it('records who changed whose staff roles, and never an invitation link or address', () => {
    const changed = toAuditRecord(
      event('shop.staff.roles_changed', {
        userId: 'member-1',
        previousRoles: ['marketing'],
        roles: ['order-support'],
        changedBy: 'admin-1',
        revokedSessions: 2,
        changedAt: '2026-03-01T10:00:00.000Z',
      }),
    );
    expect(changed).toMatchObject({
      actor: 'admin-1',
      targetType: 'staff',
      targetId: 'member-1',
      before: { roles: ['marketing'] },
      after: { roles: ['order-support'], revokedSessions: 2 },
    });
    const invited = toAuditRecord(
      event('shop.staff.invited', {
        userId: 'member-2',
        email: 'ines@example.com',
        displayName: 'Ines',
        locale: 'de',
        roles: ['auditor'],
        invitedBy: 'admin-1',
        link: 'https://admin.shop.test/accept-invitation#token=secret',
        expiresAt: '2026-03-04T10:00:00.000Z',
        invitedAt: '2026-03-01T10:00:00.000Z',
      }),
    );
    expect(invited).toMatchObject({ actor: 'admin-1', targetId: 'member-2' });
    expect(JSON.stringify(invited)).not.toMatch(/secret|ines@example|Ines/);
  });

  it('names the staff member who cancelled an order, and nobody for a timeout', () => {
    const cancelled = (reason: string, cancelledBy: string | null) =>
      toAuditRecord(
        event('shop.order.cancelled', {
          orderId: 'o1',
          userId: 'u1',
          reason,
          cancelledBy,
          cancelledAt: '2026-03-01T10:00:00Z',
        }),
      );
    expect(cancelled('staff', 'staff-2')).toMatchObject({ actor: 'staff-2', targetId: 'o1' });
    expect(cancelled('payment_timeout', null).actor).toBeNull();
  });

  it('names the staff member who asked for a refund or resolved a payment review, with what they decided', () => {
    const refund = toAuditRecord(
      event('shop.order.refund_requested', {
        orderId: 'o1',
        userId: 'u1',
        refundRequestId: 'r1',
        amount: { amount: 500, currency: 'EUR' },
        reason: 'requested_by_customer',
        note: 'dented lid',
        requestedBy: 'staff-3',
        requestedAt: '2026-03-01T10:00:00Z',
      }),
    );
    expect(refund).toMatchObject({
      actor: 'staff-3',
      action: 'shop.order.refund_requested',
      targetId: 'o1',
      after: {
        refundRequestId: 'r1',
        amount: { amount: 500, currency: 'EUR' },
        note: 'dented lid',
      },
    });
    const review = toAuditRecord(
      event('shop.order.review_resolved', {
        orderId: 'o1',
        userId: 'u1',
        resolution: 'cancel',
        status: 'cancelled',
        note: null,
        resolvedBy: 'staff-4',
        resolvedAt: '2026-03-01T11:00:00Z',
      }),
    );
    expect(review).toMatchObject({
      actor: 'staff-4',
      targetId: 'o1',
      before: { status: 'payment_review' },
      after: { resolution: 'cancel', status: 'cancelled' },
    });
  });

  it('reads the trace id of a valid traceparent only', () => {
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    expect(traceIdOf('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeNull();
    expect(traceIdOf('garbage')).toBeNull();
  });

  it('hashes the canonical JSON of every field, so any change changes the leaf', () => {
    const entry = {
      ...toAuditRecord(
        event('shop.user.erased', {
          userId: 'u1',
          requestedBy: 'u1',
          erasedAt: '2026-03-01T10:00:00Z',
        }),
      ),
      index: 4,
      source: '/shop/user',
      eventId: 'e1',
      recordedAt: '2026-03-01T10:00:01.000Z',
    };
    // RFC 8785: keys sorted, no whitespace.
    expect(leafDataOf(entry)).toMatch(
      /^\{"action":"shop\.user\.erased","actor":"u1","after":\{"erased":true\},"before":null,/,
    );
    const hash = entryLeafHash(entry);
    expect(entryLeafHash({ ...entry, index: 5 })).not.toEqual(hash);
    expect(entryLeafHash({ ...entry, actor: 'u2' })).not.toEqual(hash);
    expect(entryLeafHash({ ...entry })).toEqual(hash);
  });
});
