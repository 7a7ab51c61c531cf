import { type Identity, TokenRejected } from '@shop/shared';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type AuthenticationEnv, authentication } from './index.js';

const ada: Identity = { userId: 'user-1', roles: ['shopper'] };

function appWith(verifyToken: (token: string) => Promise<Identity>) {
  const app = new Hono<AuthenticationEnv>();
  app.use(authentication({ verifyToken }));
  app.get('/', (c) =>
    c.json({
      userId: c.get('identity')?.userId ?? null,
      rejection: c.get('tokenRejection')?.message ?? null,
    }),
  );
  return app;
}

const verifyOnlyGood = async (token: string) => {
  if (token === 'good') return ada;
  throw new TokenRejected('invalid', 'bad signature');
};

async function seen(app: Hono<AuthenticationEnv>, authorization?: string) {
  const res = await app.request('/', authorization ? { headers: { authorization } } : {});
  return (await res.json()) as { userId: string | null; rejection: string | null };
}

describe('authentication', () => {
  it('sets the identity of a verified bearer token, any case of the scheme', async () => {
    const app = appWith(verifyOnlyGood);
    expect(await seen(app, 'Bearer good')).toEqual({ userId: 'user-1', rejection: null });
    expect(await seen(app, 'bearer   good ')).toEqual({ userId: 'user-1', rejection: null });
  });

  it('records a refused or malformed bearer token and leaves the caller anonymous', async () => {
    const app = appWith(verifyOnlyGood);
    expect(await seen(app, 'Bearer forged')).toEqual({ userId: null, rejection: 'bad signature' });
    for (const malformed of ['Bearer', 'Bearer ', 'Bearer a b']) {
      expect(await seen(app, malformed)).toEqual({
        userId: null,
        rejection: 'malformed bearer token',
      });
    }
  });

  it('lets anonymous callers and other schemes through untouched', async () => {
    const app = appWith(verifyOnlyGood);
    expect(await seen(app)).toEqual({ userId: null, rejection: null });
    expect(await seen(app, 'Basic d3JpdGUta2V5Og==')).toEqual({ userId: null, rejection: null });
  });

  it('does not mistake a broken verifier for a refused token', async () => {
    const app = appWith(async () => {
      throw new Error('verifier bug');
    });
    expect((await app.request('/', { headers: { authorization: 'Bearer x' } })).status).toBe(500);
  });
});
