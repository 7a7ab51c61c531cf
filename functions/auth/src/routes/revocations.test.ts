import { createRevocationFeed, createTokenVerifier } from '@shop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, postJson, signUpAndLogIn, type Testbed } from '../testing/fixtures.js';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, verifyAccessToken } from '../tokens.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed?.cleanup());

interface Page {
  revoked: { sid: string; revokedAt: string }[];
  asOf: string;
}

async function feed(query = ''): Promise<Page> {
  const res = await bed.app.request(`/internal/sessions/revocations${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as Page;
}

async function sessionOf(accessToken: string): Promise<string> {
  return (await verifyAccessToken(accessToken, await bed.keys.jwks())).sid;
}

describe('GET /internal/sessions/revocations', () => {
  it('names a session once it is logged out, and only revocations after since', async () => {
    const { tokens } = await signUpAndLogIn(bed.app);
    const sid = await sessionOf(tokens.accessToken);
    const before = await feed();
    expect(before.revoked.map((entry) => entry.sid)).not.toContain(sid);
    await postJson(bed.app, '/api/auth/logout', { refreshToken: tokens.refreshToken });
    const after = await feed(`?since=${encodeURIComponent(before.asOf)}`);
    expect(after.revoked.map((entry) => entry.sid)).toContain(sid);
    const later = await feed(`?since=${encodeURIComponent(after.asOf)}`);
    expect(later.revoked.map((entry) => entry.sid)).not.toContain(sid);
  });

  it('names every session of a refresh-token family caught reused', async () => {
    const { tokens } = await signUpAndLogIn(bed.app);
    const sid = await sessionOf(tokens.accessToken);
    await postJson(bed.app, '/api/auth/refresh', { refreshToken: tokens.refreshToken });
    const reuse = await postJson(bed.app, '/api/auth/refresh', {
      refreshToken: tokens.refreshToken,
    });
    expect(reuse.status).toBe(401);
    expect((await feed()).revoked.map((entry) => entry.sid)).toContain(sid);
  });

  it('refuses a since that is not a time', async () => {
    const res = await bed.app.request('/internal/sessions/revocations?since=yesterday');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('lets a verifier of another function refuse a logged-out token at its next check', async () => {
    const { tokens } = await signUpAndLogIn(bed.app);
    const fetchFromApp: typeof fetch = (input, init) =>
      Promise.resolve(bed.app.request(String(input), init));
    const revocations = createRevocationFeed({
      url: 'http://auth.test/internal/sessions/revocations',
      refreshMs: 0,
      fetch: fetchFromApp,
    });
    const verify = createTokenVerifier({
      jwks: await bed.keys.jwks(),
      issuer: DEFAULT_ISSUER,
      audience: DEFAULT_AUDIENCE,
      revocations: revocations.check,
    });
    await expect(verify(tokens.accessToken)).resolves.toMatchObject({ roles: ['shopper'] });
    await postJson(bed.app, '/api/auth/logout', { refreshToken: tokens.refreshToken });
    await expect(verify(tokens.accessToken)).rejects.toThrow(/revoked/);
  });
});
