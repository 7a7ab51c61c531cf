// Which screens and actions a token's permissions allow: the one map of screen → permission the
// menu, the routes and the buttons read. The functions enforce the same permissions on their
// routes; this only keeps the app from offering what the API would refuse.
import type { Permission } from '@shop/shared/permissions';
import type { MessageKey } from './i18n.js';

export interface Screen {
  id:
    | 'dashboard'
    | 'products'
    | 'orders'
    | 'customers'
    | 'audit'
    | 'flags'
    | 'reports'
    | 'notifications'
    | 'links'
    | 'analytics'
    | 'attribution'
    | 'staff';
  /** The route within the app (without the locale prefix). */
  path: string;
  /** The permission that shows the screen. */
  permission: Permission;
  label: MessageKey;
}

/** Every screen of the app, in menu order. */
export const SCREENS: readonly Screen[] = [
  { id: 'dashboard', path: '/', permission: 'reports:read', label: 'dashboard' },
  { id: 'products', path: '/products', permission: 'catalog:read', label: 'products' },
  { id: 'orders', path: '/orders', permission: 'orders:read', label: 'orders' },
  { id: 'customers', path: '/customers', permission: 'customers:read', label: 'customers' },
  { id: 'reports', path: '/reports', permission: 'reports:read', label: 'reports' },
  { id: 'flags', path: '/flags', permission: 'flags:read', label: 'flags' },
  { id: 'links', path: '/links', permission: 'links:read', label: 'links' },
  {
    id: 'attribution',
    path: '/attribution',
    permission: 'attribution:read',
    label: 'attribution',
  },
  {
    id: 'analytics',
    path: '/analytics-keys',
    permission: 'analytics:read',
    label: 'analyticsKeys',
  },
  {
    id: 'notifications',
    path: '/notifications',
    permission: 'notifications:read',
    label: 'notifications',
  },
  { id: 'audit', path: '/audit', permission: 'audit:read', label: 'audit' },
  { id: 'staff', path: '/staff', permission: 'staff:read', label: 'staff' },
];

/** What a button does, and the permission it needs (shown only with it). */
export const ACTIONS = {
  editProduct: 'catalog:write',
  createProduct: 'catalog:write',
  /** A CSV import sets prices, texts and stock: offer asks for stock:adjust as well. */
  importProducts: 'stock:adjust',
  toggleFlag: 'flags:write',
  /** Rollout, default variant, copy to another environment, schedule. */
  editFlag: 'flags:write',
  resendNotification: 'notifications:resend',
  refundOrder: 'orders:refund',
  cancelOrder: 'orders:cancel',
  reviewPayment: 'payments:review',
  eraseCustomer: 'customers:erase',
  manageStaff: 'staff:manage',
  manageAnalyticsKeys: 'analytics:keys',
  rescoreAttribution: 'attribution:rescore',
  manageLinks: 'links:write',
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof ACTIONS;

/**
 * The screens `permissions` allow, in menu order.
 * @example screensFor(['catalog:read']) // [{ id: 'products', … }]
 */
export function screensFor(permissions: readonly string[]): Screen[] {
  const granted = new Set(permissions);
  return SCREENS.filter((screen) => granted.has(screen.permission));
}

/** Whether `permissions` allow `action`. */
export function mayDo(permissions: readonly string[], action: Action): boolean {
  return permissions.includes(ACTIONS[action]);
}
