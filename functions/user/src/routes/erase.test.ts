import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  createTestbed,
  deliverRegistered,
  type ProblemJson,
  registeredShopper,
  send,
  shopper,
  staff,
  type Testbed,
} from '../testing/fixtures.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

const address = {
  name: 'Ada Lovelace',
  line1: '1 Main St',
  postalCode: '10115',
  city: 'Berlin',
  country: 'DE',
};

async function outboxRows(userId: string) {
  const { rows } = await bed.db.query<{ type: string; partition_key: string; data: unknown }>(
    'SELECT type, partition_key, data FROM users.outbox WHERE subject = $1 ORDER BY id',
    [userId],
  );
  return rows;
}

describe('DELETE /api/users/me', () => {
  it('erases profile, addresses and consent history and records shop.user.erased', async () => {
    const { who, data } = await registeredShopper(bed.app, { marketingConsent: true });
    await send(bed.app, 'POST', '/api/users/me/addresses', { who, body: address });
    const recordedBefore = bed.recorded();

    const res = await send(bed.app, 'DELETE', '/api/users/me', { who });
    expect(res.status).toBe(204);

    for (const table of ['profile', 'address', 'consent_event'] as const) {
      expect(await countRows(bed.db, table, data.userId)).toBe(0);
    }
    expect(await countRows(bed.db, 'erased_user', data.userId)).toBe(1);
    const events = await outboxRows(data.userId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'shop.user.erased',
      partition_key: data.userId,
      data: { userId: data.userId, requestedBy: data.userId, erasedAt: expect.any(String) },
    });
    expect(Object.keys(events[0]?.data as object).sort()).toEqual([
      'erasedAt',
      'requestedBy',
      'userId',
    ]);
    expect(bed.recorded()).toBe(recordedBefore + 1);
    // The tombstone holds the id and the time only.
    const { rows } = await bed.db.query('SELECT * FROM users.erased_user WHERE user_id = $1', [
      data.userId,
    ]);
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(['erased_at', 'user_id']);

    const after = await send(bed.app, 'GET', '/api/users/me', { who });
    expect(after.status).toBe(404);
    expect(((await after.json()) as ProblemJson).detail).toMatch(/erased/);
  });

  it('answers 204 again on a second call and records no second event', async () => {
    const { who, data } = await registeredShopper(bed.app);
    expect((await send(bed.app, 'DELETE', '/api/users/me', { who })).status).toBe(204);
    expect((await send(bed.app, 'DELETE', '/api/users/me', { who })).status).toBe(204);
    expect(await outboxRows(data.userId)).toHaveLength(1);
  });

  it('does not recreate the profile when a late registered event arrives after erasure', async () => {
    const { who, data } = await registeredShopper(bed.app);
    await send(bed.app, 'DELETE', '/api/users/me', { who });
    // A redelivery of the original event (new id: the inbox would skip the same id anyway).
    expect((await deliverRegistered(bed.app, data)).status).toBe(204);
    expect(await countRows(bed.db, 'profile', data.userId)).toBe(0);
    expect((await send(bed.app, 'GET', '/api/users/me', { who })).status).toBe(404);
  });

  it('erases a user whose profile was never created, so their registration never lands', async () => {
    const who = shopper();
    expect((await send(bed.app, 'DELETE', '/api/users/me', { who })).status).toBe(204);
    expect(await outboxRows(who.userId)).toHaveLength(1);
  });

  it('lets a registration and an erasure of the same user race without a revived profile', async () => {
    const { who, data } = await registeredShopper(bed.app);
    await Promise.all([
      send(bed.app, 'DELETE', '/api/users/me', { who }),
      deliverRegistered(bed.app, data),
      deliverRegistered(bed.app, data),
    ]);
    expect(await countRows(bed.db, 'profile', data.userId)).toBe(0);
  });

  it('answers 401 without identity and erases nothing', async () => {
    const { who, data } = await registeredShopper(bed.app);
    expect((await send(bed.app, 'DELETE', '/api/users/me')).status).toBe(401);
    expect((await send(bed.app, 'GET', '/api/users/me', { who })).status).toBe(200);
    expect(await countRows(bed.db, 'erased_user', data.userId)).toBe(0);
  });
});

describe('DELETE /api/admin/users/{id}', () => {
  it('lets staff erase a customer on request, naming the staff member in the event', async () => {
    const { data } = await registeredShopper(bed.app);
    const clerk = staff();
    const res = await send(bed.app, 'DELETE', `/api/admin/users/${data.userId}`, { who: clerk });
    expect(res.status).toBe(204);
    expect(await countRows(bed.db, 'profile', data.userId)).toBe(0);
    const events = await outboxRows(data.userId);
    expect(events[0]?.data).toMatchObject({ requestedBy: clerk.userId });
  });

  it('refuses a shopper erasing someone else with 403', async () => {
    const { data } = await registeredShopper(bed.app);
    const res = await send(bed.app, 'DELETE', `/api/admin/users/${data.userId}`, {
      who: shopper(),
    });
    expect(res.status).toBe(403);
    expect(await countRows(bed.db, 'profile', data.userId)).toBe(1);
  });
});
