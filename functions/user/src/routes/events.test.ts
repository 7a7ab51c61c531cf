import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  createTestbed,
  deliverRegistered,
  type ProfileJson,
  registration,
  send,
  shopper,
  type Testbed,
} from '../testing/fixtures.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

describe('POST /events shop.user.registered', () => {
  it('creates the profile from the sign-up data', async () => {
    const data = registration({ locale: 'de-de', displayName: 'Grace' });
    expect((await deliverRegistered(bed.app, data)).status).toBe(204);
    const res = await send(bed.app, 'GET', '/api/users/me', { who: shopper(data.userId) });
    expect(res.status).toBe(200);
    const profile = (await res.json()) as ProfileJson;
    expect(profile).toMatchObject({
      id: data.userId,
      email: data.email,
      displayName: 'Grace',
      locale: 'de-DE',
      preferredCurrency: null,
      marketingConsent: false,
      marketingConsentAt: null,
      addresses: [],
      version: 1,
      registeredAt: data.registeredAt,
    });
  });

  it('creates one profile when the same event is delivered three times', async () => {
    const data = registration();
    const eventId = crypto.randomUUID();
    for (let i = 0; i < 3; i++) {
      expect((await deliverRegistered(bed.app, data, eventId)).status).toBe(204);
    }
    expect(await countRows(bed.db, 'profile', data.userId)).toBe(1);
  });

  it('creates one profile when the same event arrives three times at once', async () => {
    const data = registration({ marketingConsent: true });
    const eventId = crypto.randomUUID();
    const answers = await Promise.all(
      [1, 2, 3].map(() => deliverRegistered(bed.app, data, eventId)),
    );
    // A concurrent duplicate waits for the first delivery's transaction, then is skipped.
    expect(answers.map((res) => res.status)).toEqual([204, 204, 204]);
    expect(await countRows(bed.db, 'profile', data.userId)).toBe(1);
    expect(await countRows(bed.db, 'consent_event', data.userId)).toBe(1);
  });

  it('leaves an existing profile as it is when another event registers the same user', async () => {
    const data = registration({ displayName: 'First' });
    await deliverRegistered(bed.app, data);
    const who = shopper(data.userId);
    await send(bed.app, 'PATCH', '/api/users/me', { who, body: { displayName: 'Edited' } });
    const again = { ...data, displayName: 'Second', email: 'other@example.com' };
    expect((await deliverRegistered(bed.app, again)).status).toBe(204);
    const profile = (await (
      await send(bed.app, 'GET', '/api/users/me', { who })
    ).json()) as ProfileJson;
    expect(profile).toMatchObject({ displayName: 'Edited', email: data.email, version: 2 });
  });

  it('stamps consent given at sign-up with the registration time and records it', async () => {
    const data = registration({ marketingConsent: true });
    await deliverRegistered(bed.app, data);
    const res = await send(bed.app, 'GET', '/api/users/me/consents', { who: shopper(data.userId) });
    expect(await res.json()).toEqual({
      items: [{ granted: true, origin: 'registration', recordedAt: data.registeredAt }],
    });
    const profile = (await (
      await send(bed.app, 'GET', '/api/users/me', { who: shopper(data.userId) })
    ).json()) as ProfileJson;
    expect(profile.marketingConsentAt).toBe(data.registeredAt);
  });

  it('refuses data that does not match the catalog with 400 and creates nothing', async () => {
    const data = registration();
    const res = await deliverRegistered(bed.app, data, undefined, { ...data, email: 'nope' });
    expect(res.status).toBe(400);
    expect(await countRows(bed.db, 'profile', data.userId)).toBe(0);
    const extra = await deliverRegistered(bed.app, data, undefined, { ...data, admin: true });
    expect(extra.status).toBe(400);
    expect(await countRows(bed.db, 'profile', data.userId)).toBe(0);
  });

  it('refuses a registration time PostgreSQL cannot hold (year 0000) with 4xx, not a 500 the broker retries', async () => {
    const data = registration();
    for (const registeredAt of [
      '0000-01-01T00:00:00.000Z',
      '0000-12-31T23:59:59Z',
      '2025-02-30T00:00:00Z',
    ]) {
      const res = await deliverRegistered(bed.app, data, undefined, { ...data, registeredAt });
      expect(res.status, registeredAt).toBeGreaterThanOrEqual(400);
      expect(res.status, registeredAt).toBeLessThan(500);
    }
    expect(await countRows(bed.db, 'profile', data.userId)).toBe(0);
  });
});
