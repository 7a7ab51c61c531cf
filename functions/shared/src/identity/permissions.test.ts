import { describe, expect, it } from 'vitest';
import { isPermission, PERMISSIONS, permissionsOf, STAFF_ROLES } from './permissions.js';

describe('staff roles and permissions', () => {
  it('grants an administrator every permission and a shopper none', () => {
    expect(permissionsOf(['administrator'])).toEqual([...PERMISSIONS]);
    expect(permissionsOf(['shopper'])).toEqual([]);
    expect(permissionsOf(['no-such-role', 'constructor', '__proto__'])).toEqual([]);
  });

  it('unites the permissions of several roles, each once, in catalog order', () => {
    const granted = permissionsOf(['marketing', 'analyst']);
    expect(new Set(granted).size).toBe(granted.length);
    expect(granted).toEqual(PERMISSIONS.filter((p) => granted.includes(p)));
    expect(granted).toContain('links:write');
    expect(granted).toContain('orders:read');
    expect(granted).not.toContain('catalog:write');
  });

  it('keeps each role to known permissions and auditors away from changes', () => {
    for (const permissions of Object.values(STAFF_ROLES)) {
      for (const permission of permissions) expect(isPermission(permission)).toBe(true);
    }
    expect(
      permissionsOf(['auditor']).filter((p) => /:(write|manage|erase|refund)$/.test(p)),
    ).toEqual([]);
    // An auditor reads; every change (a checkpoint, a replay, a payout) needs another role.
    expect(permissionsOf(['auditor']).every((p) => p.endsWith(':read'))).toBe(true);
  });
});
