import { describe, expect, it } from 'vitest';
import { gateway } from './main.js';
import { matchRoute, requiredAccess, upstreamUrls } from './routes-table.js';

describe('the routing table', () => {
  it('prefers the most specific prefix', () => {
    expect(matchRoute('/api/users/me')).toMatchObject({ upstream: 'user', access: 'signed-in' });
    expect(matchRoute('/api/users/someone')).toMatchObject({ upstream: 'user', access: 'public' });
    expect(matchRoute('/api/cart/checkout')).toMatchObject({ access: 'signed-in' });
    expect(matchRoute('/api/admin/auth/keys/rotate')).toMatchObject({ upstream: 'auth' });
  });

  it('routes /api/admin/attribution to attribution, staff only', () => {
    expect(matchRoute('/api/admin/attribution/orders/1')).toEqual({
      prefix: '/api/admin/attribution',
      upstream: 'attribution',
      access: 'staff',
    });
    expect(matchRoute('/api/admin/attributions')).toBeUndefined();
  });

  it('routes the staff order routes to cart, staff only', () => {
    for (const path of [
      '/api/admin/orders',
      '/api/admin/orders/x/refunds',
      '/api/admin/orders/x/review',
    ]) {
      expect(matchRoute(path)).toMatchObject({ upstream: 'cart', access: 'staff' });
    }
    expect(matchRoute('/api/admin/ordersx')).toBeUndefined();
  });

  it('routes staff management to auth for staff, and the invitation acceptance for anyone', () => {
    for (const path of [
      '/api/admin/staff',
      '/api/admin/staff/invitations',
      '/api/admin/staff/x/roles',
    ]) {
      expect(matchRoute(path)).toMatchObject({ upstream: 'auth', access: 'staff' });
    }
    expect(matchRoute('/api/auth/staff-invitation/accept')).toMatchObject({
      upstream: 'auth',
      access: 'public',
    });
    expect(matchRoute('/api/admin/staffing')).toBeUndefined();
  });

  it('routes each outbox’s parked-events staff routes to its function', () => {
    for (const upstream of [
      'auth',
      'user',
      'offer',
      'cart',
      'redirect',
      'attribution',
      'conversion-webhook',
      'notification',
    ] as const) {
      expect(matchRoute(`/api/admin/events/${upstream}/parked`)).toEqual({
        prefix: `/api/admin/events/${upstream}`,
        upstream,
        access: 'staff',
      });
    }
    expect(matchRoute('/api/admin/events/carting/parked')).toBeUndefined();
  });

  it('routes notifications: one-click unsubscribe for anyone, failures and resend for staff', () => {
    expect(matchRoute('/api/notifications/unsubscribe')).toMatchObject({
      upstream: 'notification',
      access: 'public',
    });
    expect(matchRoute('/api/notifications/other')).toBeUndefined();
    expect(
      matchRoute('/api/admin/notifications/0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b/resend'),
    ).toEqual({
      prefix: '/api/admin/notifications',
      upstream: 'notification',
      access: 'staff',
    });
  });

  it('routes the catalog CSV export and imports to offer, for staff', () => {
    expect(matchRoute('/api/admin/catalog/imports/0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b')).toEqual({
      prefix: '/api/admin/catalog',
      upstream: 'offer',
      access: 'staff',
    });
    expect(matchRoute('/api/admin/catalogue')).toBeUndefined();
  });

  it('routes affiliate links to redirect: /r/:code for anyone, /api/admin/links for staff', () => {
    expect(matchRoute('/r/summer-sale')).toEqual({
      prefix: '/r',
      upstream: 'redirect',
      access: 'public',
    });
    expect(matchRoute('/api/admin/links/0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b/stats')).toEqual({
      prefix: '/api/admin/links',
      upstream: 'redirect',
      access: 'staff',
    });
    expect(requiredAccess('/api/admin/links')).toBe('staff');
    expect(matchRoute('/redirect')).toBeUndefined();
  });

  it('routes Segment calls to analytics-ingest for anyone, its sources for staff only', () => {
    expect(matchRoute('/api/analytics/v1/batch')).toMatchObject({
      upstream: 'analytics-ingest',
      access: 'public',
    });
    expect(matchRoute('/api/admin/analytics/sources/0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b')).toEqual(
      {
        prefix: '/api/admin/analytics',
        upstream: 'analytics-ingest',
        access: 'staff',
      },
    );
    expect(matchRoute('/api/admin/analyticsx')).toBeUndefined();
  });

  it('matches whole segments only', () => {
    expect(matchRoute('/api/cartel')).toBeUndefined();
    expect(matchRoute('/rx/1')).toBeUndefined();
    expect(matchRoute('/api/users/meta')).toMatchObject({ access: 'public' });
    expect(matchRoute('/')).toBeUndefined();
  });

  it('requires staff for every admin path, routed or not', () => {
    expect(requiredAccess('/api/admin')).toBe('staff');
    expect(requiredAccess('/api/admin/anything/else')).toBe('staff');
    expect(requiredAccess('/api/administrator')).toBe('public');
    expect(requiredAccess('/api/offers')).toBe('public');
  });

  it('takes each upstream URL from its <NAME>_URL variable', () => {
    const urls = upstreamUrls(
      gateway.loadConfig({ FEATURE_FLAG_URL: 'http://feature-flag.shop.svc.cluster.local' }),
    );
    expect(urls['feature-flag']).toBe('http://feature-flag.shop.svc.cluster.local');
    expect(urls.auth).toBe('http://127.0.0.1:8081');
    expect(urls.reporting).toBe('http://127.0.0.1:8092');
  });
});
