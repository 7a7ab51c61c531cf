import {
  createMemoryKeyValue,
  createTokenVerifier,
  Lifecycle,
  type RunningServer,
  serve,
  silentLogger,
} from '@shop/shared';
import { Hono } from 'hono';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createApp, type GatewayApp, type GatewayAppDeps } from '../app.js';
import { ROUTES, type UpstreamName } from '../routes-table.js';

/** Serves a Hono app on a free port; `url` is its base URL. */
export async function serveOnPort0(
  app: Parameters<typeof serve>[0],
): Promise<RunningServer & { url: string }> {
  const server = await serve(app, {
    port: 0,
    hostname: '127.0.0.1',
    log: silentLogger(),
    lifecycle: new Lifecycle(),
    handleSignals: false,
    shutdownTimeoutMs: 100,
  });
  return { ...server, url: `http://127.0.0.1:${server.port}` };
}

/** What an echo upstream answers: the request it received. */
export interface Echo {
  upstream: string;
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: string;
}

/** An upstream that answers every request with an {@link Echo} of it. */
export function echoApp(name: string): Hono {
  const app = new Hono();
  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const echo: Echo = {
      upstream: name,
      method: c.req.method,
      path: url.pathname,
      search: url.search,
      headers: Object.fromEntries(c.req.raw.headers),
      body: c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text(),
    };
    return c.json(echo);
  });
  return app;
}

/** An ES256 signing key with its public JWK, as auth would publish it. */
export interface TestKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  publicJwk: JWK;
}

export async function makeKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

export const ISSUER = 'http://127.0.0.1:8080';
export const AUDIENCE = 'shop';

/** An access token shaped like auth's, with overridable claims and lifetime. */
export async function signToken(
  key: TestKey,
  options: {
    sub?: string;
    roles?: string[];
    email?: string;
    sid?: string;
    audience?: string;
    issuer?: string;
    expiresAt?: number | string;
  } = {},
): Promise<string> {
  return new SignJWT({
    roles: options.roles ?? ['shopper'],
    sid: options.sid ?? 'session-1',
    ...(options.email ? { email: options.email } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setSubject(options.sub ?? 'user-1')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime(options.expiresAt ?? '15m')
    .sign(key.privateKey);
}

/** An unsigned token (`alg: none`) carrying staff claims: must never be accepted. */
export function unsignedToken(): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({
    sub: 'user-1',
    roles: ['shopper', 'staff'],
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 900,
  })}.`;
}

/**
 * One echo server per upstream function, the `auth` one also serving a JWKS whose keys a test
 * can swap (`setKeys`) and count fetches of (`jwksFetches()`).
 */
export async function startFakeUpstreams(keys: TestKey[]): Promise<{
  urls: Record<UpstreamName, string>;
  setKeys(next: TestKey[]): void;
  jwksFetches(): number;
  close(): Promise<void>;
}> {
  let published = keys;
  let fetches = 0;
  const names = [...new Set(ROUTES.map((route) => route.upstream))];
  const servers = await Promise.all(
    names.map(async (name) => {
      const app = new Hono();
      if (name === 'auth') {
        app.get('/.well-known/jwks.json', (c) => {
          fetches += 1;
          return c.json({ keys: published.map((key) => key.publicJwk) });
        });
      }
      app.route('/', echoApp(name));
      return [name, await serveOnPort0(app)] as const;
    }),
  );
  return {
    urls: Object.fromEntries(servers.map(([name, server]) => [name, server.url])) as Record<
      UpstreamName,
      string
    >,
    setKeys(next) {
      published = next;
    },
    jwksFetches: () => fetches,
    async close() {
      await Promise.all(servers.map(([, server]) => server.shutdown()));
    },
  };
}

/**
 * The gateway in front of `upstreams`, silent, with a memory key-value store, verifying tokens
 * of {@link ISSUER} and {@link AUDIENCE} against the JWKS of the `auth` upstream (or `jwksUrl`).
 * @example const app = createTestGateway(upstreams.urls, { cooldownMs: 0 });
 */
export function createTestGateway(
  upstreams: Record<UpstreamName, string>,
  options: { jwksUrl?: string; cooldownMs?: number } & Partial<
    Omit<GatewayAppDeps, 'upstreams' | 'verifyToken'>
  > = {},
): GatewayApp {
  const { jwksUrl, cooldownMs, ...deps } = options;
  return createApp({
    log: silentLogger(),
    kv: createMemoryKeyValue(),
    upstreams,
    verifyToken: createTokenVerifier({
      jwks: jwksUrl ?? `${upstreams.auth}/.well-known/jwks.json`,
      issuer: ISSUER,
      audience: AUDIENCE,
      ...(cooldownMs !== undefined && { cooldownMs }),
    }),
    ...deps,
  });
}
