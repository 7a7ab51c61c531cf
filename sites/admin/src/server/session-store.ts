// Staff sessions on the server: the browser holds only a random id in `__Host-shop_admin`; the
// access and refresh tokens and the CSRF token live in the key-value store (Redis in production,
// the kit's in-memory store in dev), one hash per session, written field by field so concurrent
// requests of one session never undo each other's writes. The island never sees a token: its
// calls go through the site's /api proxy, which adds the bearer token here.
import { createHash, randomBytes } from 'node:crypto';
import type { KeyValue } from '@shop/shared';
import type { TokenPair } from './gateway.js';

/** The tokens of a signed-in staff member, kept on the server only. */
export interface SessionAuth {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (epoch ms). */
  accessExpiresAt: number;
  userId: string;
  email: string;
}

export interface Session {
  /** The cookie's value; the store keys the session by its SHA-256, never by the id itself. */
  id: string;
  csrf: string;
  auth?: SessionAuth | undefined;
  /** A message key shown once on the next page. */
  flash?: string | undefined;
}

/** The fields a page may change; `null` removes one. */
export type SessionChange = Partial<Record<'flash', string | null> & { auth: SessionAuth | null }>;

export interface SessionStoreOptions {
  kv: KeyValue;
  idleSeconds: number;
  /** Refresh the access token when it has less than this left. */
  refreshLeewaySeconds: number;
  clock?: () => number;
  /** How long a request waits for another request's refresh of the same session. */
  refreshWaitMs?: number;
}

/** A session id as the cookie carries it: 32 random bytes, base64url. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const newSecret = () => randomBytes(32).toString('base64url');
const digest = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * The claims of an access token the gateway just handed us, read without verifying: the token
 * came from auth over our own call, and every function verifies it again where it matters.
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

export type SessionStore = ReturnType<typeof createSessionStore>;

/**
 * Sessions on the key-value store.
 * @example const sessions = createSessionStore({ kv, idleSeconds: 604800, refreshLeewaySeconds: 60 });
 */
export function createSessionStore(options: SessionStoreOptions) {
  const { kv, idleSeconds } = options;
  const clock = options.clock ?? Date.now;
  const refreshWaitMs = options.refreshWaitMs ?? 3000;
  const keyOf = (id: string) => `admin:session:${digest(id)}`;
  const lockOf = (id: string) => `admin:session-refresh:${digest(id)}`;
  // Refreshes running in this process, by session id: one refresh token is spent once (auth
  // revokes the whole family when a spent one comes back).
  const inflight = new Map<string, Promise<SessionAuth | undefined>>();

  function fromHash(id: string, hash: Record<string, string>): Session | null {
    if (!hash.csrf) return null;
    let auth: SessionAuth | undefined;
    if (hash.auth) {
      try {
        auth = JSON.parse(hash.auth) as SessionAuth;
      } catch {
        auth = undefined;
      }
    }
    return {
      id,
      csrf: hash.csrf,
      auth,
      flash: hash.flash || undefined,
    };
  }

  function toFields(change: SessionChange): Record<string, string | null> {
    const fields: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(change)) {
      if (value === undefined) continue;
      fields[name] =
        value === null ? null : typeof value === 'string' ? value : JSON.stringify(value);
    }
    return fields;
  }

  async function load(id: string | undefined): Promise<Session | null> {
    if (!id || !SESSION_ID_PATTERN.test(id)) return null;
    const hash = await kv.hgetall(keyOf(id));
    const session = fromHash(id, hash);
    if (session) await kv.expire(keyOf(id), idleSeconds);
    return session;
  }

  async function create(fields: SessionChange = {}): Promise<Session> {
    const id = newSecret();
    const csrf = newSecret();
    await kv.update(keyOf(id), () => ({
      set: { csrf, createdAt: new Date(clock()).toISOString(), ...toFields(fields) },
      ttlSeconds: idleSeconds,
    }));
    return (await load(id)) as Session;
  }

  async function change(id: string, fields: SessionChange): Promise<void> {
    await kv.update(keyOf(id), (current) =>
      current.csrf ? { set: toFields(fields), ttlSeconds: idleSeconds } : null,
    );
  }

  async function destroy(id: string): Promise<void> {
    await kv.del(keyOf(id));
  }

  /**
   * A new session (and a new CSRF token), the old one deleted: at sign-in and sign-out, so an id
   * someone planted or saw before is worth nothing.
   */
  async function rotate(old: Session, fields: SessionChange): Promise<Session> {
    const fresh = await create(fields);
    await destroy(old.id);
    return fresh;
  }

  /** The tokens a login or refresh answered, as the session keeps them. */
  function authFrom(pair: TokenPair): SessionAuth {
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
    const raw = await kv.hget(keyOf(id), 'auth');
    return raw ? (JSON.parse(raw) as SessionAuth) : undefined;
  }

  /**
   * The session's tokens, refreshed first when the access token is close to expiry: once per
   * session across requests and replicas (a lock in the store; the others wait for its result).
   * A refresh auth refuses signs the session out. `refresh` answers the new pair, or null when
   * auth refused the refresh token.
   */
  async function freshAuth(
    session: Session,
    refresh: (refreshToken: string) => Promise<TokenPair | null>,
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
          await change(session.id, { auth: null });
          return undefined;
        }
        const next = authFrom(pair);
        await change(session.id, { auth: next });
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

  return {
    load,
    create,
    change,
    destroy,
    rotate,
    authFrom,
    freshAuth,
  };
}
