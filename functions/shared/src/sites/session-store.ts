// A site's sessions on the server: the browser holds only a random id in a `__Host-` cookie; the
// access and refresh tokens, the CSRF token and what the site keeps of the visit live in the
// key-value store (Redis in production, the kit's in-memory store in dev), one hash per session
// keyed by the SHA-256 of the id, written field by field so concurrent requests of one session
// never undo each other's writes. The storefront and the back office are built on it; what is
// theirs (the cart, the click id, the visitor id, payment pages) is declared, not copied.
import { createHash, randomBytes } from 'node:crypto';
import type { KeyValue } from '../kv/key-value.js';

/** The tokens of a signed-in person, kept on the server only. */
export interface SessionAuth {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (epoch ms). */
  accessExpiresAt: number;
  userId: string;
  email: string;
}

/** What auth answers at sign-in and refresh. */
export interface SessionTokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token is valid. */
  expiresIn: number;
}

/** What every site's session has. */
export interface BaseSession {
  /** The cookie's value; the store keys the session by its SHA-256, never by the id itself. */
  id: string;
  csrf: string;
  auth?: SessionAuth | undefined;
  /** A message key shown once on the next page. */
  flash?: string | undefined;
}

/** The fields a page may change (`K`: the site's own, stored as text); `null` removes one. */
export type SessionChangeOf<K extends string> = Partial<
  Record<K | 'flash', string | null> & { auth: SessionAuth | null }
>;

export interface SiteSessionStoreOptions<S extends BaseSession, K extends string> {
  kv: KeyValue;
  /** The keys' prefix: `<name>:session:<digest>`. */
  name: string;
  idleSeconds: number;
  /** Refresh the access token when it has less than this left. */
  refreshLeewaySeconds: number;
  /** The site's own fields of a stored session. */
  read(hash: Record<string, string>, base: BaseSession): S;
  /** What a new session starts with besides its CSRF token. */
  initial?: () => Record<string, string>;
  /** What the new session of a rotation takes from the old one (before the page's changes). */
  carry?: (old: S) => SessionChangeOf<K>;
  clock?: () => number;
  /** How long a request waits for another request's refresh of the same session. */
  refreshWaitMs?: number;
}

/** A session id as the cookie carries it: 32 random bytes, base64url. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const newSecret = () => randomBytes(32).toString('base64url');

/** The SHA-256 of a text, base64url (the store's key of a session id). */
export const sessionDigest = (text: string) =>
  createHash('sha256').update(text).digest('base64url');

/**
 * The claims of an access token the gateway just handed us, read without verifying: the token
 * came from auth over our own call, and every function verifies it again where it matters.
 * @example tokenClaims(pair.accessToken).sub
 */
export function tokenClaims(accessToken: string): { sub: string; email: string; exp?: number } {
  const payload = accessToken.split('.')[1] ?? '';
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    sub?: unknown;
    email?: unknown;
    exp?: unknown;
  };
  if (typeof claims.sub !== 'string') throw new Error('access token without sub');
  return {
    sub: claims.sub,
    email: typeof claims.email === 'string' ? claims.email : '',
    ...(typeof claims.exp === 'number' && { exp: claims.exp }),
  };
}

function parseAuth(raw: string | undefined): SessionAuth | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as SessionAuth;
  } catch {
    return undefined;
  }
}

/**
 * A site's sessions on the key-value store.
 * @example const sessions = createSiteSessionStore({ kv, name: 'admin', idleSeconds: 28800, refreshLeewaySeconds: 60, read: (_hash, base) => base });
 */
export function createSiteSessionStore<S extends BaseSession, K extends string = never>(
  options: SiteSessionStoreOptions<S, K>,
) {
  const { kv, idleSeconds, name } = options;
  const clock = options.clock ?? Date.now;
  const refreshWaitMs = options.refreshWaitMs ?? 3000;
  const keyOf = (id: string) => `${name}:session:${sessionDigest(id)}`;
  const lockOf = (id: string) => `${name}:session-refresh:${sessionDigest(id)}`;
  // Refreshes running in this process, by session id: one refresh token is spent once (auth
  // revokes the whole family when a spent one comes back).
  const inflight = new Map<string, Promise<SessionAuth | undefined>>();

  function fromHash(id: string, hash: Record<string, string>): S | null {
    if (!hash.csrf) return null;
    const base: BaseSession = {
      id,
      csrf: hash.csrf,
      auth: parseAuth(hash.auth),
      flash: hash.flash || undefined,
    };
    return options.read(hash, base);
  }

  function toFields(change: SessionChangeOf<K>): Record<string, string | null> {
    const fields: Record<string, string | null> = {};
    for (const [field, value] of Object.entries(change)) {
      if (value === undefined) continue;
      fields[field] =
        value === null ? null : typeof value === 'string' ? value : JSON.stringify(value);
    }
    return fields;
  }

  /** The session of a cookie's id, its idle time restarted; null for none or a bad id. */
  async function load(id: string | undefined): Promise<S | null> {
    if (!id || !SESSION_ID_PATTERN.test(id)) return null;
    const hash = await kv.hgetall(keyOf(id));
    const session = fromHash(id, hash);
    if (session) await kv.expire(keyOf(id), idleSeconds);
    return session;
  }

  async function create(fields: SessionChangeOf<K> = {}): Promise<S> {
    const id = newSecret();
    const csrf = newSecret();
    await kv.update(keyOf(id), () => ({
      set: {
        csrf,
        ...options.initial?.(),
        createdAt: new Date(clock()).toISOString(),
        ...toFields(fields),
      },
      ttlSeconds: idleSeconds,
    }));
    return (await load(id)) as S;
  }

  /** Writes fields of a session that still exists (a removed one stays removed). */
  async function setFields(id: string, fields: Record<string, string | null>): Promise<void> {
    await kv.update(keyOf(id), (current) =>
      current.csrf ? { set: fields, ttlSeconds: idleSeconds } : null,
    );
  }

  async function change(id: string, fields: SessionChangeOf<K>): Promise<void> {
    await setFields(id, toFields(fields));
  }

  /** One stored field of a session (the site's own, such as a payment page per order). */
  async function field(id: string, fieldName: string): Promise<string | undefined> {
    return (await kv.hget(keyOf(id), fieldName)) ?? undefined;
  }

  async function destroy(id: string): Promise<void> {
    await kv.del(keyOf(id));
  }

  /**
   * A new session (and a new CSRF token) with what `carry` takes from the old one, the old one
   * deleted: at sign-in and sign-out, so an id someone planted or saw before is worth nothing.
   */
  async function rotate(old: S, fields: SessionChangeOf<K>): Promise<S> {
    const fresh = await create({ ...options.carry?.(old), ...fields });
    await destroy(old.id);
    return fresh;
  }

  /** The tokens a login or refresh answered, as the session keeps them. */
  function authFrom(pair: SessionTokenPair): SessionAuth {
    const claims = tokenClaims(pair.accessToken);
    return {
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      accessExpiresAt: clock() + pair.expiresIn * 1000,
      userId: claims.sub,
      email: claims.email,
    };
  }

  const isFresh = (auth: SessionAuth) =>
    auth.accessExpiresAt - clock() > options.refreshLeewaySeconds * 1000;

  async function readAuth(id: string): Promise<SessionAuth | undefined> {
    return parseAuth((await kv.hget(keyOf(id), 'auth')) ?? undefined);
  }

  /**
   * The session's tokens, refreshed first when the access token is close to expiry: once per
   * session across requests and replicas (a lock in the store; the others wait for its result).
   * A refresh auth refuses signs the session out. `refresh` answers the new pair, or null when
   * auth refused the refresh token.
   */
  async function freshAuth(
    session: S,
    refresh: (refreshToken: string) => Promise<SessionTokenPair | null>,
  ): Promise<SessionAuth | undefined> {
    const auth = session.auth;
    if (!auth || isFresh(auth)) return auth;
    const running = inflight.get(session.id);
    if (running) return running;
    const work = (async () => {
      const lock = lockOf(session.id);
      const owner = newSecret();
      const locked = await kv.set(lock, owner, { onlyIfAbsent: true, ttlSeconds: 15 });
      if (!locked) return waitForOtherRefresh(session.id, auth);
      try {
        // Another replica may have refreshed between our read and the lock.
        const current = await readAuth(session.id);
        if (!current) return undefined;
        if (current.refreshToken !== auth.refreshToken || isFresh(current)) return current;
        const pair = await refresh(current.refreshToken);
        if (!pair) {
          await setFields(session.id, { auth: null });
          return undefined;
        }
        const next = authFrom(pair);
        await setFields(session.id, { auth: JSON.stringify(next) });
        return next;
      } finally {
        if ((await kv.get(lock)) === owner) await kv.del(lock);
      }
    })();
    inflight.set(session.id, work);
    try {
      const result = await work;
      session.auth = result;
      return result;
    } finally {
      inflight.delete(session.id);
    }
  }

  async function waitForOtherRefresh(
    id: string,
    stale: SessionAuth,
  ): Promise<SessionAuth | undefined> {
    const deadline = clock() + refreshWaitMs;
    for (;;) {
      const current = await readAuth(id);
      if (!current || current.refreshToken !== stale.refreshToken) return current;
      if (clock() > deadline) return current.accessExpiresAt > clock() ? current : undefined;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return { load, create, change, setFields, field, destroy, rotate, authFrom, freshAuth };
}
