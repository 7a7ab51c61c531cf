import { describe, expect, it } from 'vitest';
import { entryLeafHash, leafDataOf, toAuditRecord, traceIdOf } from './audit-record.js';

const event = (type: string, data: Record<string, unknown>) => ({
  id: 'e1',
  source: '/shop/x',
  type,
  time: undefined,
  traceparent: undefined,
  data,
});

describe('the audit record of an event', () => {
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
