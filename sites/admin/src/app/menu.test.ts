import { PERMISSIONS, permissionsOf, STAFF_ROLES, type StaffRole } from '@shop/shared/permissions';
import { describe, expect, it } from 'vitest';
import { mayDo, SCREENS, screensFor } from './menu.js';

// What each role of STAFF_ROLES sees in the menu, written out by hand: a change of a role's
// permissions or of the screen map shows up here as a changed expectation.
const MENU: Record<StaffRole, string[]> = {
  'catalog-manager': ['dashboard', 'products', 'reports'],
  'order-support': ['products', 'orders', 'customers', 'notifications'],
  marketing: ['dashboard', 'products', 'reports', 'flags', 'links', 'attribution', 'analytics'],
  analyst: [
    'dashboard',
    'products',
    'orders',
    'reports',
    'flags',
    'links',
    'attribution',
    'analytics',
  ],
  auditor: ['dashboard', 'reports', 'audit', 'staff'],
  administrator: [
    'dashboard',
    'products',
    'orders',
    'customers',
    'reports',
    'flags',
    'links',
    'attribution',
    'analytics',
    'notifications',
    'audit',
    'staff',
  ],
};

describe('the menu', () => {
  for (const role of Object.keys(STAFF_ROLES) as StaffRole[]) {
    it(`shows a ${role} exactly the screens the role's permissions allow`, () => {
      const screens = screensFor(permissionsOf([role]));
      expect(screens.map((s) => s.id)).toEqual(MENU[role]);
      for (const screen of screens) expect(STAFF_ROLES[role]).toContain(screen.permission);
    });
  }

  it('shows nothing to a token without permissions, and only screens of known permissions', () => {
    expect(screensFor([])).toEqual([]);
    expect(screensFor(['shopper', 'catalog:delete'])).toEqual([]);
    for (const screen of SCREENS) expect(PERMISSIONS).toContain(screen.permission);
  });

  it('offers a write only with its write permission', () => {
    const manager = permissionsOf(['catalog-manager']);
    expect(mayDo(manager, 'editProduct')).toBe(true);
    expect(mayDo(manager, 'toggleFlag')).toBe(false);
    const analyst = permissionsOf(['analyst']);
    expect(mayDo(analyst, 'editProduct')).toBe(false);
    expect(mayDo(analyst, 'toggleFlag')).toBe(false);
    expect(mayDo(permissionsOf(['marketing']), 'toggleFlag')).toBe(true);
    expect(mayDo(analyst, 'editFlag')).toBe(false);
    expect(mayDo(permissionsOf(['marketing']), 'editFlag')).toBe(true);
    expect(mayDo(permissionsOf(['order-support']), 'resendNotification')).toBe(true);
    // An analyst reads orders but may not refund, cancel or resolve a review.
    for (const action of ['refundOrder', 'cancelOrder', 'reviewPayment'] as const) {
      expect(mayDo(analyst, action)).toBe(false);
      expect(mayDo(permissionsOf(['order-support']), action)).toBe(true);
    }
    // Support reads customers; erasing one takes the administrator's customers:erase.
    expect(mayDo(permissionsOf(['order-support']), 'eraseCustomer')).toBe(false);
    expect(mayDo(permissionsOf(['administrator']), 'eraseCustomer')).toBe(true);
    // An auditor sees who is staff; only an administrator changes it.
    expect(mayDo(permissionsOf(['auditor']), 'manageStaff')).toBe(false);
    expect(mayDo(permissionsOf(['administrator']), 'manageStaff')).toBe(true);
    // Marketing reads the analytics sources; making and revoking keys is the administrator's.
    expect(mayDo(permissionsOf(['marketing']), 'manageAnalyticsKeys')).toBe(false);
    expect(mayDo(permissionsOf(['administrator']), 'manageAnalyticsKeys')).toBe(true);
  });
});
