// Shopper sessions on the server (the kit's site sessions): the browser holds only a random id
// in `__Host-shop_session`; the tokens, the anonymous cart id, the affiliate click id, the
// visitor id and the CSRF token live in the key-value store.
import type { KeyValue } from '@shop/shared';
import {
  type BaseSession,
  createSiteSessionStore,
  type SessionChangeOf,
  sessionDigest,
} from '@shop/shared/site-sessions';

export {
  SESSION_ID_PATTERN,
  type SessionAuth,
  tokenClaims,
} from '@shop/shared/site-sessions';

export interface Session extends BaseSession {
  cartId?: string | undefined;
  clickId?: string | undefined;
  /** The visitor's analytics id (Segment's anonymousId): random, kept across sign-in and out. */
  visitorId: string;
  /** Items in the cart as of the last change, for the header. */
  cartCount?: string | undefined;
}

/** The storefront's own fields of a session. */
type ShopperField = 'cartId' | 'clickId' | 'cartCount' | 'visitorId';

/** The fields a page may change; `null` removes one. */
export type SessionChange = SessionChangeOf<ShopperField>;

export interface SessionStoreOptions {
  kv: KeyValue;
  idleSeconds: number;
  /** Refresh the access token when it has less than this left. */
  refreshLeewaySeconds: number;
  clock?: () => number;
  /** How long a request waits for another request's refresh of the same session. */
  refreshWaitMs?: number;
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/**
 * Shopper sessions on the key-value store, under `storefront:session:…`. Sign-in and sign-out
 * rotate the session and keep the cart, the click id and the visitor id.
 * @example const sessions = createSessionStore({ kv, idleSeconds: 604800, refreshLeewaySeconds: 60 });
 */
export function createSessionStore(options: SessionStoreOptions) {
  const store = createSiteSessionStore<Session, ShopperField>({
    ...options,
    name: 'storefront',
    read: (hash, base) => ({
      ...base,
      cartId: hash.cartId || undefined,
      clickId: hash.clickId || undefined,
      // Sessions made before visitor ids were kept get one derived from their id's digest.
      visitorId: hash.visitorId || sessionDigest(`visitor:${base.id}`).slice(0, 32),
      cartCount: hash.cartCount || undefined,
    }),
    initial: () => ({ visitorId: crypto.randomUUID() }),
    carry: (old) => ({
      ...(old.cartId && { cartId: old.cartId }),
      ...(old.clickId && { clickId: old.clickId }),
      ...(old.cartCount && { cartCount: old.cartCount }),
      visitorId: old.visitorId,
    }),
  });

  return {
    ...store,
    /** Keeps where the shopper pays for `orderId` (the provider's page checkout answered). */
    rememberPayment: (id: string, orderId: string, url: string) =>
      store.setFields(id, { [`pay:${orderId}`]: url }),
    /** Where the shopper pays for `orderId`, if this session checked it out. */
    paymentUrl: (id: string, orderId: string) => store.field(id, `pay:${orderId}`),
  };
}
