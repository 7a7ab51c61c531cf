import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { createTokenVerifier, Problem, TokenRejected } from '@shop/shared';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { forward } from './forward.js';

const ISSUER = 'http://127.0.0.1:8080';
const AUDIENCE = 'shop';

interface Key {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  publicJwk: JWK;
}

async function makeKey(): Promise<Key> {
  const kid = `hot-${randomUUID().slice(0, 8)}`;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } };
}

/** A token like auth's, issued at `nowSeconds` and valid for `lifetimeSeconds`. */
function sign(key: Key, nowSeconds = Math.floor(Date.now() / 1000), lifetimeSeconds = 900) {
  return new SignJWT({ roles: ['shopper'], sid: 'session-1' })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setSubject('user-1')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + lifetimeSeconds)
    .sign(key.privateKey);
}

async function listen(server: Server | ReturnType<typeof createNetServer>): Promise<string> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

function close(server: Server | ReturnType<typeof createNetServer>): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}

let published: Key[] = [];
let jwksFetches = 0;
const jwksServer = createHttpServer((_req, res) => {
  jwksFetches += 1;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
});
let jwksUrl: string;

beforeAll(async () => {
  jwksUrl = `${await listen(jwksServer)}/.well-known/jwks.json`;
});
afterAll(() => close(jwksServer));

async function rejection(promise: Promise<unknown>): Promise<TokenRejected> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TokenRejected);
  return error as TokenRejected;
}

describe('token verification cache', () => {
  it('verifies a token once and reuses the result; with the cache off, every time', async () => {
    const key = await makeKey();
    published = [key];
    const token = await sign(key);
    const verify = createTokenVerifier({ jwks: jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    const first = await verify(token);
    expect(first).toEqual({ userId: 'user-1', roles: ['shopper'], sessionId: 'session-1' });
    // The very same (frozen) identity: no second verification.
    expect(await verify(token)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);

    const uncached = createTokenVerifier({
      jwks: jwksUrl,
      issuer: ISSUER,
      audience: AUDIENCE,
      tokenCacheSize: 0,
    });
    const once = await uncached(token);
    expect(await uncached(token)).not.toBe(once);
    expect(await uncached(token)).toEqual(once);
  });

  it('never reuses a verification past the token’s exp, nor past tokenCacheMs', async () => {
    const key = await makeKey();
    published = [key];
    let now = Date.now();
    const verify = createTokenVerifier({
      jwks: jwksUrl,
      issuer: ISSUER,
      audience: AUDIENCE,
      tokenCacheMs: 60_000,
      clock: () => new Date(now),
    });
    const nowSeconds = Math.floor(now / 1000);
    const shortLived = await sign(key, nowSeconds, 30);
    await verify(shortLived);
    now += 31_000;
    const expired = await rejection(verify(shortLived));
    expect(expired.reason).toBe('invalid');

    const longLived = await sign(key, nowSeconds, 3_600);
    const first = await verify(longLived);
    now += 30_000;
    expect(await verify(longLived)).toBe(first);
    now += 31_000; // 61 s after the verification: verified afresh (and still valid)
    const again = await verify(longLived);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('stops accepting a token once its key left the JWKS and the cached key set is older than cacheMaxAgeMs', async () => {
    const retiring = await makeKey();
    const next = await makeKey();
    published = [retiring];
    const verify = createTokenVerifier({
      jwks: jwksUrl,
      issuer: ISSUER,
      audience: AUDIENCE,
      cacheMaxAgeMs: 300,
      cooldownMs: 0,
    });
    const token = await sign(retiring);
    await verify(token);
    published = [next];
    // Within the key set's cache age the key is still trusted, as it is without this cache.
    await verify(token);
    await new Promise((done) => setTimeout(done, 400));
    const refused = await rejection(verify(token));
    expect(refused.reason).toBe('invalid');
    // And it stays refused (refusals are never remembered as successes).
    expect((await rejection(verify(token))).reason).toBe('invalid');
  });

  it('verifies every remembered token afresh after any refetch of the key set', async () => {
    const retiring = await makeKey();
    const next = await makeKey();
    published = [retiring];
    const verify = createTokenVerifier({
      jwks: jwksUrl,
      issuer: ISSUER,
      audience: AUDIENCE,
      cooldownMs: 0,
    });
    const old = await sign(retiring);
    await verify(old);
    published = [next];
    const before = jwksFetches;
    // An unknown kid makes jose refetch the keys at once…
    expect((await verify(await sign(next))).userId).toBe('user-1');
    expect(jwksFetches).toBe(before + 1);
    // …and the remembered verification of the retired key's token is not reused.
    expect((await rejection(verify(old))).reason).toBe('invalid');
  });

  it('forgets the least recently used token beyond tokenCacheSize', async () => {
    const key = await makeKey();
    published = [key];
    const verify = createTokenVerifier({
      jwks: jwksUrl,
      issuer: ISSUER,
      audience: AUDIENCE,
      tokenCacheSize: 2,
    });
    const nowSeconds = Math.floor(Date.now() / 1000);
    const [a, b, c] = await Promise.all([1, 2, 3].map((i) => sign(key, nowSeconds - i)));
    const first = { a: await verify(a!), b: await verify(b!) };
    expect(await verify(a!)).toBe(first.a); // a is now the most recently used
    await verify(c!); // evicts b
    expect(await verify(a!)).toBe(first.a);
    expect(await verify(b!)).not.toBe(first.b);
  });
});

describe('forward on the hot path', () => {
  const sockets = new Set<Socket>();
  let slowUrl: string;
  let rawUrl: string;
  let rawResponse = '';
  const slow = createHttpServer((_req, res) => {
    setTimeout(() => res.end('late'), 1_000).unref();
  });
  const raw = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => socket.end(rawResponse));
  });
  beforeAll(async () => {
    slowUrl = await listen(slow);
    rawUrl = await listen(raw);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all([close(slow), close(raw)]);
  });

  it('answers 499 and logs at debug, not as an upstream failure, when the client went away', async () => {
    const client = new AbortController();
    const log = { debug: vi.fn() };
    const pending = forward({
      upstream: 'offer',
      url: `${slowUrl}/api/offers`,
      method: 'GET',
      headers: {},
      body: null,
      timeoutMs: 5_000,
      signal: client.signal,
      log,
    });
    setTimeout(() => client.abort(), 50);
    const error = await pending.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Problem);
    expect((error as Problem).status).toBe(499);
    expect(log.debug).toHaveBeenCalledTimes(1);
  });

  it('still answers 504 when the upstream is too slow and the client is still there', async () => {
    const client = new AbortController();
    const error = await forward({
      upstream: 'offer',
      url: `${slowUrl}/api/offers`,
      method: 'GET',
      headers: {},
      body: null,
      timeoutMs: 50,
      signal: client.signal,
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect((error as Problem).status).toBe(504);
  });

  it('drops hop-by-hop response headers (also those Connection names) and keeps repeated ones', async () => {
    rawResponse = [
      'HTTP/1.1 201 Created',
      'Connection: x-private-hop, close',
      'X-Private-Hop: secret',
      'Keep-Alive: timeout=5',
      'Set-Cookie: a=1; Path=/',
      'Set-Cookie: b=2; Path=/',
      'X-Kept: yes',
      'Content-Type: text/plain',
      'Content-Length: 2',
      '',
      'ok',
    ].join('\r\n');
    const res = await forward({
      upstream: 'offer',
      url: `${rawUrl}/api/offers`,
      method: 'GET',
      headers: {},
      body: null,
      timeoutMs: 2_000,
    });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('ok');
    expect(res.headers.get('x-kept')).toBe('yes');
    expect(res.headers.get('x-private-hop')).toBeNull();
    expect(res.headers.get('keep-alive')).toBeNull();
    expect(res.headers.get('connection')).toBeNull();
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
  });

  it('passes statuses without a body (204) and HEAD answers through with no body', async () => {
    rawResponse = 'HTTP/1.1 204 No Content\r\nConnection: close\r\nX-Kept: yes\r\n\r\n';
    const noContent = await forward({
      upstream: 'offer',
      url: `${rawUrl}/api/offers/x`,
      method: 'DELETE',
      headers: {},
      body: null,
      timeoutMs: 2_000,
    });
    expect(noContent.status).toBe(204);
    expect(noContent.body).toBeNull();
    expect(noContent.headers.get('x-kept')).toBe('yes');

    rawResponse =
      'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n';
    const head = await forward({
      upstream: 'offer',
      url: `${rawUrl}/api/offers`,
      method: 'HEAD',
      headers: {},
      body: null,
      timeoutMs: 2_000,
    });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    expect(head.headers.get('content-length')).toBe('5');
  });
});
