// Staff sessions on the server (the kit's site sessions): the browser holds only a random id in
// `__Host-shop_admin`; the tokens and the CSRF token live in the key-value store. The island
// never sees a token: its calls go through the site's /api proxy, which adds the bearer token.
import type { KeyValue } from '@shop/shared';
import {
  type BaseSession,
  createSiteSessionStore,
  type SessionChangeOf,
} from '@shop/shared/site-sessions';

export {
  SESSION_ID_PATTERN,
  type SessionAuth,
  tokenClaims,
} from '@shop/shared/site-sessions';

/** A staff session: the tokens and the one-time message, nothing of its own. */
export type Session = BaseSession;

/** The fields a page may change; `null` removes one. */
export type SessionChange = SessionChangeOf<never>;

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
 * Staff sessions on the key-value store, under `admin:session:…`.
 * @example const sessions = createSessionStore({ kv, idleSeconds: 28800, refreshLeewaySeconds: 60 });
 */
export function createSessionStore(options: SessionStoreOptions) {
  return createSiteSessionStore<Session>({
    ...options,
    name: 'admin',
    read: (_hash, base) => base,
  });
}
