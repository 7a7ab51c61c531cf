// What every page and endpoint gets from the middleware in `Astro.locals.admin`.
import { LOCALE_TAGS, type Locale, localePath, type MessageKey, translate } from '../app/i18n.js';
import type { Runtime } from './runtime.js';
import type { Session, SessionAuth } from './session-store.js';
import { type StaffAccess, staffAccessOf } from './staff-access.js';

export interface AdminContext {
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
  /** Who the session's token names, and what it may see; undefined when signed out. */
  access?: StaffAccess | undefined;
  /** The parsed form of a POST (already checked for its CSRF token). */
  form?: FormData | undefined;
  t(key: MessageKey, values?: Record<string, string | number>): string;
  href(path: string): string;
  /** Replaces the session (after sign-in or sign-out); the response sends its cookie. */
  useSession(session: Session): void;
}

/** The context of one request. */
export function createAdminContext(input: {
  runtime: Runtime;
  locale: Locale;
  path: string;
  session: Session;
  isNew: boolean;
  auth: SessionAuth | undefined;
  form: FormData | undefined;
}): AdminContext {
  const accessOf = (auth: SessionAuth | undefined) =>
    auth ? (staffAccessOf(auth.accessToken) ?? undefined) : undefined;
  const admin: AdminContext = {
    runtime: input.runtime,
    locale: input.locale,
    tag: LOCALE_TAGS[input.locale],
    path: input.path,
    session: input.session,
    newSessionId: input.isNew ? input.session.id : undefined,
    auth: input.auth,
    access: accessOf(input.auth),
    form: input.form,
    t: (key, values) => translate(input.locale, key, values),
    href: (path) => localePath(input.locale, path),
    useSession(session) {
      admin.session = session;
      admin.auth = session.auth;
      admin.access = accessOf(session.auth);
      admin.newSessionId = session.id;
    },
  };
  return admin;
}
