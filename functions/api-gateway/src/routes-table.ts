import type { GatewayConfig } from './config.js';

/** The functions the gateway forwards to (= their Knative Service names). */
export type UpstreamName =
  | 'auth'
  | 'user'
  | 'offer'
  | 'cart'
  | 'redirect'
  | 'feature-flag'
  | 'analytics-ingest'
  | 'conversion-webhook'
  | 'attribution'
  | 'notification'
  | 'audit'
  | 'reporting';

/** Who may call a route: anyone, a signed-in user, or staff. */
export type Access = 'public' | 'signed-in' | 'staff';

/** One row of the table: paths equal to `prefix` or below it (segment-wise) go to `upstream`. */
export interface RouteEntry {
  prefix: string;
  upstream: UpstreamName;
  access: Access;
}

/**
 * The gateway's routing table, most specific prefix first. `/api/offers` matches
 * `/api/offers` and `/api/offers/…`, never `/api/offers-x`.
 */
export const ROUTES: readonly RouteEntry[] = [
  { prefix: '/.well-known', upstream: 'auth', access: 'public' },
  { prefix: '/api/auth', upstream: 'auth', access: 'public' },
  { prefix: '/api/users/me', upstream: 'user', access: 'signed-in' },
  { prefix: '/api/users', upstream: 'user', access: 'public' },
  { prefix: '/api/offers', upstream: 'offer', access: 'public' },
  { prefix: '/api/categories', upstream: 'offer', access: 'public' },
  { prefix: '/api/cart/checkout', upstream: 'cart', access: 'signed-in' },
  { prefix: '/api/cart', upstream: 'cart', access: 'public' },
  { prefix: '/r', upstream: 'redirect', access: 'public' },
  { prefix: '/webhooks', upstream: 'conversion-webhook', access: 'public' },
  { prefix: '/ofrep', upstream: 'feature-flag', access: 'public' },
  { prefix: '/api/analytics', upstream: 'analytics-ingest', access: 'public' },
  // RFC 8058 one-click unsubscribe: mail clients POST without a session, the token is signed.
  { prefix: '/api/notifications/unsubscribe', upstream: 'notification', access: 'public' },
  { prefix: '/api/admin/auth', upstream: 'auth', access: 'staff' },
  { prefix: '/api/admin/staff', upstream: 'auth', access: 'staff' },
  { prefix: '/api/admin/users', upstream: 'user', access: 'staff' },
  { prefix: '/api/admin/offers', upstream: 'offer', access: 'staff' },
  { prefix: '/api/admin/catalog', upstream: 'offer', access: 'staff' },
  { prefix: '/api/admin/orders', upstream: 'cart', access: 'staff' },
  { prefix: '/api/admin/flags', upstream: 'feature-flag', access: 'staff' },
  { prefix: '/api/admin/links', upstream: 'redirect', access: 'staff' },
  { prefix: '/api/admin/analytics', upstream: 'analytics-ingest', access: 'staff' },
  { prefix: '/api/admin/attribution', upstream: 'attribution', access: 'staff' },
  { prefix: '/api/admin/reports', upstream: 'reporting', access: 'staff' },
  { prefix: '/api/admin/audit', upstream: 'audit', access: 'staff' },
  { prefix: '/api/admin/notifications', upstream: 'notification', access: 'staff' },
  // The kit's staff routes over each outbox's parked events: /api/admin/events/<function>/parked.
  { prefix: '/api/admin/events/auth', upstream: 'auth', access: 'staff' },
  { prefix: '/api/admin/events/user', upstream: 'user', access: 'staff' },
  { prefix: '/api/admin/events/offer', upstream: 'offer', access: 'staff' },
  { prefix: '/api/admin/events/cart', upstream: 'cart', access: 'staff' },
  { prefix: '/api/admin/events/redirect', upstream: 'redirect', access: 'staff' },
  { prefix: '/api/admin/events/attribution', upstream: 'attribution', access: 'staff' },
  { prefix: '/api/admin/events/notification', upstream: 'notification', access: 'staff' },
  {
    prefix: '/api/admin/events/conversion-webhook',
    upstream: 'conversion-webhook',
    access: 'staff',
  },
];

const ADMIN_PREFIX = '/api/admin';

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * The route a raw (still percent-encoded) request path goes to, or undefined.
 * @example matchRoute('/api/offers/123')?.upstream // 'offer'
 */
export function matchRoute(path: string): RouteEntry | undefined {
  return ROUTES.find((route) => isUnder(path, route.prefix));
}

/**
 * Who may call `path`: every path under /api/admin needs staff, routed or not, so an unknown
 * admin path tells an anonymous caller nothing.
 */
export function requiredAccess(path: string): Access {
  if (isUnder(path, ADMIN_PREFIX)) return 'staff';
  return matchRoute(path)?.access ?? 'public';
}

/** Base URL of each upstream, from the `<NAME>_URL` settings. */
export function upstreamUrls(config: GatewayConfig): Record<UpstreamName, string> {
  return {
    auth: config.AUTH_URL,
    user: config.USER_URL,
    offer: config.OFFER_URL,
    cart: config.CART_URL,
    redirect: config.REDIRECT_URL,
    'feature-flag': config.FEATURE_FLAG_URL,
    'analytics-ingest': config.ANALYTICS_INGEST_URL,
    'conversion-webhook': config.CONVERSION_WEBHOOK_URL,
    attribution: config.ATTRIBUTION_URL,
    notification: config.NOTIFICATION_URL,
    audit: config.AUDIT_URL,
    reporting: config.REPORTING_URL,
  };
}
