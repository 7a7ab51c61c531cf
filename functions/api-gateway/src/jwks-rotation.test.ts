import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayApp } from './app.js';
import {
  createTestGateway,
  type Echo,
  makeKey,
  signToken,
  startFakeUpstreams,
  type TestKey,
} from './testing/index.js';

let upstreams: Awaited<ReturnType<typeof startFakeUpstreams>>;
let oldKey: TestKey;
let app: GatewayApp;

beforeAll(async () => {
  oldKey = await makeKey('key-old');
  upstreams = await startFakeUpstreams([oldKey]);
  app = createTestGateway(upstreams.urls, { cooldownMs: 0 });
});
afterAll(() => upstreams.close());

/** The subject of the token when the gateway let it through (the echo shows what it forwarded). */
async function userIdSeen(token: string): Promise<string | undefined> {
  const res = await app.request('/api/users/me', { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const forwarded = ((await res.json()) as Echo).headers.authorization;
  expect(forwarded).toBe(`Bearer ${token}`);
  return decodeJwt(token).sub;
}

describe('signing key rotation', () => {
  it('verifies tokens of a rotated-in key without a restart, and of the previous key meanwhile', async () => {
    expect(await userIdSeen(await signToken(oldKey, { sub: 'before' }))).toBe('before');
    const fetchesBefore = upstreams.jwksFetches();

    // auth rotates: the new key is current, the old one stays published as previous.
    const newKey = await makeKey('key-new');
    upstreams.setKeys([newKey, oldKey]);

    expect(await userIdSeen(await signToken(newKey, { sub: 'after' }))).toBe('after');
    expect(upstreams.jwksFetches()).toBe(fetchesBefore + 1);
    expect(await userIdSeen(await signToken(oldKey, { sub: 'still-valid' }))).toBe('still-valid');
    // Known keys are served from the cache.
    expect(upstreams.jwksFetches()).toBe(fetchesBefore + 1);

    // Once the old key is retired, its tokens stop working.
    upstreams.setKeys([newKey]);
    const retired = await signToken(await makeKey('key-retired'));
    const res = await app.request('/api/offers', {
      headers: { authorization: `Bearer ${retired}` },
    });
    expect(res.status).toBe(401);
  });

  it('answers 503, not 401 or anonymous, when the signing keys cannot be fetched', async () => {
    const key = await makeKey('key-x');
    const offline = createTestGateway(upstreams.urls, {
      jwksUrl: 'http://127.0.0.1:1/.well-known/jwks.json',
    });
    const res = await offline.request('/api/offers', {
      headers: { authorization: `Bearer ${await signToken(key)}` },
    });
    expect(res.status).toBe(503);
  });
});
