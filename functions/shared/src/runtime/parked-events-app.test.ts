import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp } from '../app.js';
import type { Database } from '../db/database.js';
import { silentLogger } from '../logger.js';
import { writeOutbox } from '../outbox.js';
import { identityHeaders, testDatabase, testVerifyToken } from '../testing/index.js';
import { createParkedEventsApp } from './parked-events-app.js';

let db: Database;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await testDatabase());
  await db.exec(`
    CREATE SCHEMA shop;
    CREATE TABLE shop.outbox (
      id uuid PRIMARY KEY, type text NOT NULL, subject text, partition_key text,
      data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz, attempts int NOT NULL DEFAULT 0, last_error text,
      next_attempt_at timestamptz, last_attempt_at timestamptz, parked_at timestamptz,
      parked_reason text, traceparent text, request_id text
    );`);
});
afterAll(() => cleanup());

const staff = identityHeaders({ userId: crypto.randomUUID(), roles: ['staff'] });

function appWith(onRetried: () => void = () => {}) {
  const app = createServiceApp({
    service: 'shop',
    log: silentLogger(),
    verifyToken: testVerifyToken,
  });
  app.route('/', createParkedEventsApp({ db, schema: 'shop', service: 'shop', onRetried }));
  return app;
}

async function park(key: string, reason: string): Promise<string> {
  const id = await db.transaction((tx) =>
    writeOutbox(tx, 'shop', { type: 'shop.thing.changed', partitionKey: key, data: { key } }),
  );
  await db.query(
    `UPDATE shop.outbox SET parked_at = now(), parked_reason = $2, attempts = 3,
            last_error = 'the sink answered 400', last_attempt_at = now() WHERE id = $1`,
    [id, reason],
  );
  return id;
}

describe('createParkedEventsApp', () => {
  it('lists parked events oldest first, with how many events of their key wait behind them', async () => {
    const first = await park('a', 'refused');
    await db.transaction((tx) =>
      writeOutbox(tx, 'shop', { type: 'shop.thing.changed', partitionKey: 'a', data: {} }),
    );
    const second = await park('b', 'too_large');
    const res = await appWith().request('/api/admin/events/shop/parked', { headers: staff });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { events: Record<string, unknown>[] };
    expect(body.events.map((event) => [event.id, event.reason, event.heldBack])).toEqual([
      [first, 'refused', 1],
      [second, 'too_large', 0],
    ]);
    expect(body.events[0]).toMatchObject({
      type: 'shop.thing.changed',
      partitionKey: 'a',
      attempts: 3,
      lastError: 'the sink answered 400',
      parkedAt: expect.stringMatching(/Z$/),
    });
    const limited = await appWith().request('/api/admin/events/shop/parked?limit=1', {
      headers: staff,
    });
    expect(((await limited.json()) as { events: unknown[] }).events).toHaveLength(1);
    const bad = await appWith().request('/api/admin/events/shop/parked?limit=0', {
      headers: staff,
    });
    expect(bad.status).toBe(400);
  });

  it('unparks one event for the relay to try again, and refuses ids that are not parked', async () => {
    const id = await park('c', 'exhausted');
    let woken = 0;
    const app = appWith(() => {
      woken++;
    });
    const retry = (which: string) =>
      app.request(`/api/admin/events/shop/parked/${which}/retry`, {
        method: 'POST',
        headers: staff,
      });
    expect((await retry(id)).status).toBe(204);
    expect(woken).toBe(1);
    const { rows } = await db.query('SELECT parked_at, attempts FROM shop.outbox WHERE id = $1', [
      id,
    ]);
    expect(rows).toEqual([{ parked_at: null, attempts: 0 }]);
    expect((await retry(id)).status).toBe(404);
    expect((await retry('not-a-uuid')).status).toBe(400);
    expect(woken).toBe(1);
  });

  it('answers 401 to an anonymous caller and 403 to a shopper', async () => {
    const app = appWith();
    expect((await app.request('/api/admin/events/shop/parked')).status).toBe(401);
    const shopper = identityHeaders({ userId: crypto.randomUUID(), roles: ['shopper'] });
    expect((await app.request('/api/admin/events/shop/parked', { headers: shopper })).status).toBe(
      403,
    );
  });

  it('lists for events:read (an auditor) and retries for events:replay only', async () => {
    const app = appWith();
    const auditor = identityHeaders({
      userId: crypto.randomUUID(),
      roles: ['staff'],
      staffRoles: ['auditor'],
    });
    const marketing = identityHeaders({
      userId: crypto.randomUUID(),
      roles: ['staff'],
      staffRoles: ['marketing'],
    });
    const list = (headers: Record<string, string>) =>
      app.request('/api/admin/events/shop/parked', { headers });
    expect((await list(auditor)).status).toBe(200);
    const refused = await list(marketing);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ permission: 'events:read' });
    const id = await park('d', 'refused');
    const retry = (headers: Record<string, string>) =>
      app.request(`/api/admin/events/shop/parked/${id}/retry`, { method: 'POST', headers });
    const auditorRetry = await retry(auditor);
    expect(auditorRetry.status).toBe(403);
    expect(await auditorRetry.json()).toMatchObject({ permission: 'events:replay' });
    expect((await retry(staff)).status).toBe(204);
  });
});
