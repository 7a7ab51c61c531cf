import { PERMISSIONS, permissionsOf } from '@shop/shared/permissions';
import { describe, expect, it } from 'vitest';
import { staffAccessOf } from './staff-access.js';

const token = (claims: object) => {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256' })}.${part(claims)}.signature`;
};

describe('what an access token lets its holder see', () => {
  it('reads the permissions the token carries, in the catalog order, unknown ones dropped', () => {
    const access = staffAccessOf(
      token({
        sub: 'u1',
        email: 'a@shop.test',
        roles: ['shopper', 'staff', 'auditor'],
        perms: ['reports:read', 'audit:read', 'catalog:delete'],
      }),
    );
    expect(access).toEqual({
      userId: 'u1',
      email: 'a@shop.test',
      roles: ['shopper', 'staff', 'auditor'],
      staff: true,
      permissions: ['reports:read', 'audit:read'],
    });
  });

  it('takes a role’s permissions as auth will issue them', () => {
    const perms = permissionsOf(['marketing']);
    expect(
      staffAccessOf(token({ sub: 'u1', roles: ['staff', 'marketing'], perms }))?.permissions,
    ).toEqual(perms);
  });

  it('treats the legacy shape (staff, no perms claim) as an administrator', () => {
    expect(staffAccessOf(token({ sub: 'u1', roles: ['shopper', 'staff'] }))?.permissions).toEqual([
      ...PERMISSIONS,
    ]);
  });

  it('gives a staff token with an empty perms claim nothing, and a shopper nothing at all', () => {
    expect(staffAccessOf(token({ sub: 'u1', roles: ['staff'], perms: [] }))?.permissions).toEqual(
      [],
    );
    const shopper = staffAccessOf(token({ sub: 'u2', roles: ['shopper'], perms: ['audit:read'] }));
    expect(shopper).toMatchObject({ staff: false, permissions: [] });
  });

  it('knows nobody from a token that is not a JWT or has no subject', () => {
    expect(staffAccessOf('garbage')).toBeNull();
    expect(staffAccessOf('a.!!!.c')).toBeNull();
    expect(staffAccessOf(token({ roles: ['staff'] }))).toBeNull();
  });
});
