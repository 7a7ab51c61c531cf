// What every page and form handler gets from the middleware in `Astro.locals.shop`.
import type { Visitor } from './analytics.js';
import type { Caller } from './gateway-client.js';
import { LOCALE_TAGS, type Locale, localePath, type MessageKey, translate } from './i18n.js';
import { formatMoney, type Money } from './money.js';
import type { Runtime } from './runtime.js';
import type { Session, SessionAuth } from './session-store.js';

export interface ShopContext {
  runtime: Runtime;
  locale: Locale;
  /** The Intl tag of the locale (`en-GB`, `de-DE`). */
  tag: string;
  /** The request's path without its locale prefix. */
  path: string;
  session: Session;
  /** Set when the session was created or rotated during this request (the cookie to send). */
  newSessionId?: string | undefined;
  auth?: SessionAuth | undefined;
  /** The parsed form of a POST (already checked for its CSRF token). */
  form?: FormData | undefined;
  caller(): Caller;
  /** Who analytics calls are about: the visitor id, the signed-in user, the kept click id. */
  visitor(): Visitor;
  t(key: MessageKey, values?: Record<string, string | number>): string;
  href(path: string): string;
  money(money: Money): string;
  /** Replaces the session (after sign-in or sign-out); the response sends its cookie. */
  useSession(session: Session): void;
}

/** The context of one request. */
export function createShopContext(input: {
  runtime: Runtime;
  locale: Locale;
  path: string;
  session: Session;
  isNew: boolean;
  auth: SessionAuth | undefined;
  form: FormData | undefined;
  userAgent?: string | undefined;
}): ShopContext {
  const shop: ShopContext = {
    runtime: input.runtime,
    locale: input.locale,
    tag: LOCALE_TAGS[input.locale],
    path: input.path,
    session: input.session,
    newSessionId: input.isNew ? input.session.id : undefined,
    auth: input.auth,
    form: input.form,
    caller() {
      return {
        accessToken: shop.auth?.accessToken,
        cartId: shop.auth ? undefined : shop.session.cartId,
        locale: shop.tag,
      };
    },
    visitor() {
      return {
        anonymousId: shop.session.visitorId,
        userId: shop.auth?.userId,
        clickId: shop.session.clickId,
        locale: shop.tag,
        userAgent: input.userAgent,
      };
    },
    t: (key, values) => translate(input.locale, key, values),
    href: (path) => localePath(input.locale, path),
    money: (money) => formatMoney(money, LOCALE_TAGS[input.locale]),
    useSession(session) {
      shop.session = session;
      shop.auth = session.auth;
      shop.newSessionId = session.id;
    },
  };
  return shop;
}
