import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  createTestbed,
  type ProblemJson,
  type ProfileJson,
  registeredShopper,
  send,
  shopper,
  type Testbed,
} from '../testing/fixtures.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

async function me(who: ReturnType<typeof shopper>): Promise<ProfileJson> {
  const res = await send(bed.app, 'GET', '/api/users/me', { who });
  expect(res.status).toBe(200);
  return (await res.json()) as ProfileJson;
}

describe('GET /api/users/me', () => {
  it('answers 401 problem without identity', async () => {
    const res = await send(bed.app, 'GET', '/api/users/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers 404 with a clear detail before the sign-up event arrived', async () => {
    const res = await send(bed.app, 'GET', '/api/users/me', { who: shopper() });
    expect(res.status).toBe(404);
    expect(((await res.json()) as ProblemJson).detail).toMatch(/created from the sign-up event/);
  });

  it('answers the caller profile with its ETag', async () => {
    const { who, data } = await registeredShopper(bed.app);
    const res = await send(bed.app, 'GET', '/api/users/me', { who });
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(((await res.json()) as ProfileJson).email).toBe(data.email);
  });
});

describe('PATCH /api/users/me', () => {
  it('changes display name, locale and preferred currency', async () => {
    const { who } = await registeredShopper(bed.app);
    const res = await send(bed.app, 'PATCH', '/api/users/me', {
      who,
      body: { displayName: '  Ada L.  ', locale: 'fr-ca', preferredCurrency: 'CHF' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"2"');
    expect(await me(who)).toMatchObject({
      displayName: 'Ada L.',
      locale: 'fr-CA',
      preferredCurrency: 'CHF',
      version: 2,
    });
  });

  it('clears a setting with null and keeps the version when nothing changes', async () => {
    const { who } = await registeredShopper(bed.app);
    await send(bed.app, 'PATCH', '/api/users/me', { who, body: { locale: null } });
    const unchanged = await send(bed.app, 'PATCH', '/api/users/me', {
      who,
      body: { locale: null },
    });
    expect(((await unchanged.json()) as ProfileJson).version).toBe(2);
    expect((await me(who)).locale).toBeNull();
  });

  it('stamps marketingConsentAt when consent is given and clears it when withdrawn', async () => {
    const { who } = await registeredShopper(bed.app);
    const before = Date.now();
    await send(bed.app, 'PATCH', '/api/users/me', { who, body: { marketingConsent: true } });
    const granted = await me(who);
    expect(granted.marketingConsent).toBe(true);
    expect(Date.parse(granted.marketingConsentAt ?? '')).toBeGreaterThanOrEqual(before);
    // Confirming again keeps the original time.
    await send(bed.app, 'PATCH', '/api/users/me', { who, body: { marketingConsent: true } });
    expect((await me(who)).marketingConsentAt).toBe(granted.marketingConsentAt);
    await send(bed.app, 'PATCH', '/api/users/me', { who, body: { marketingConsent: false } });
    expect(await me(who)).toMatchObject({ marketingConsent: false, marketingConsentAt: null });
    const history = await send(bed.app, 'GET', '/api/users/me/consents', { who });
    const { items } = (await history.json()) as { items: { granted: boolean }[] };
    expect(items.map((item) => item.granted)).toEqual([true, false]);
  });

  it('refuses unknown fields such as id or userId with 400 and changes nothing', async () => {
    const { who } = await registeredShopper(bed.app);
    for (const body of [
      { id: crypto.randomUUID(), displayName: 'X' },
      { userId: crypto.randomUUID() },
      { email: 'new@example.com' },
      { marketingConsentAt: new Date().toISOString() },
    ]) {
      const res = await send(bed.app, 'PATCH', '/api/users/me', { who, body });
      expect(res.status).toBe(400);
    }
    expect((await me(who)).version).toBe(1);
  });

  it('refuses invalid values with 400 naming the field, and changes nothing', async () => {
    const { who } = await registeredShopper(bed.app);
    const cases: [unknown, string][] = [
      [{ locale: 'not a locale' }, 'json.locale'],
      [{ preferredCurrency: 'eur' }, 'json.preferredCurrency'],
      [{ preferredCurrency: 'ABC' }, 'json.preferredCurrency'],
      [{ marketingConsent: 'yes' }, 'json.marketingConsent'],
      [{ displayName: '' }, 'json.displayName'],
      [{ displayName: 'a\u0000b' }, 'json.displayName'],
      [{ displayName: 'x'.repeat(201) }, 'json.displayName'],
      [{}, 'json'],
    ];
    for (const [body, field] of cases) {
      const res = await send(bed.app, 'PATCH', '/api/users/me', { who, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const problem = (await res.json()) as ProblemJson;
      expect(problem.errors?.map((e) => e.name)).toContain(field);
    }
    for (const raw of ['{not json', '[]', 'null']) {
      const res = await send(bed.app, 'PATCH', '/api/users/me', { who, body: raw });
      expect(res.status).toBe(400);
    }
    const textBody = await send(bed.app, 'PATCH', '/api/users/me', {
      who,
      body: 'displayName=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(textBody.status).toBe(415);
    expect((await me(who)).version).toBe(1);
  });

  it('answers 412 with the current ETag when If-Match is stale', async () => {
    const { who } = await registeredShopper(bed.app);
    const first = await send(bed.app, 'PATCH', '/api/users/me', {
      who,
      body: { displayName: 'One' },
      headers: { 'if-match': 'W/"1"' },
    });
    expect(first.status).toBe(200);
    const stale = await send(bed.app, 'PATCH', '/api/users/me', {
      who,
      body: { displayName: 'Two' },
      headers: { 'if-match': 'W/"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('W/"2"');
    expect(((await stale.json()) as ProblemJson).currentVersion).toBe(2);
    expect((await me(who)).displayName).toBe('One');
  });

  it('answers 401 to an anonymous PATCH before looking at the body', async () => {
    const res = await send(bed.app, 'PATCH', '/api/users/me', { body: { bogus: true } });
    expect(res.status).toBe(401);
  });

  it('answers 404 when the profile does not exist yet', async () => {
    const res = await send(bed.app, 'PATCH', '/api/users/me', {
      who: shopper(),
      body: { displayName: 'Early' },
    });
    expect(res.status).toBe(404);
    expect(await countRows(bed.db, 'profile', 'nobody')).toBe(0);
  });
});
