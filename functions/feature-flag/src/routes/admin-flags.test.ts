import { silentLogger } from '@shop/shared';
import { identityHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FLAGS } from '../demo-flags.js';
import { events } from '../events.js';
import { createScheduler } from '../scheduler.js';
import { createTestbed, STAFF, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
let now = new Date('2026-12-01T10:00:00Z');
beforeAll(async () => {
  bed = await createTestbed({ clock: () => now });
});
afterAll(() => bed.cleanup());

const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  bed.app.request(path, {
    method,
    headers: {
      ...STAFF,
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
const checkout = {
  state: 'ENABLED',
  variants: { on: true, off: false },
  defaultVariant: 'off',
} as const;
const evaluate = async (key: string, context: Record<string, unknown> = {}) =>
  (
    await bed.app.request(`/ofrep/v1/evaluate/flags/${key}`, {
      method: 'POST',
      body: JSON.stringify({ context }),
    })
  ).json() as Promise<Record<string, unknown>>;

describe('/api/admin/flags', () => {
  it('answers only staff', async () => {
    expect((await bed.app.request('/api/admin/flags')).status).toBe(401);
    const shopper = identityHeaders({ userId: 'u1', roles: ['shopper'] });
    expect((await bed.app.request('/api/admin/flags', { headers: shopper })).status).toBe(403);
    const write = await bed.app.request('/api/admin/flags', {
      method: 'POST',
      headers: { ...shopper, 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'sneaky', definition: checkout }),
    });
    expect(write.status).toBe(403);
    expect((await send('GET', '/api/admin/flags/sneaky')).status).toBe(404);
  });

  it('creates a flag, serves it at once, records shop.flag.changed with the staff identity', async () => {
    const res = await send('POST', '/api/admin/flags', {
      key: 'new-checkout',
      definition: checkout,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(res.headers.get('location')).toBe('/api/admin/flags/new-checkout?environment=dev');
    expect(await res.json()).toMatchObject({
      key: 'new-checkout',
      version: 1,
      enabled: true,
      rolloutPercent: 100,
      createdBy: 'staff-7',
    });
    expect(await evaluate('new-checkout')).toMatchObject({ value: false, reason: 'STATIC' });
    expect((await bed.changedEvents()).at(-1)).toEqual({
      flagKey: 'new-checkout',
      environment: 'dev',
      change: 'created',
      changedFields: ['/'],
      enabled: true,
      rolloutPercent: 100,
      version: 1,
      changedBy: 'staff-7',
      changedAt: now.toISOString(),
    });
    expect(
      (await send('POST', '/api/admin/flags', { key: 'new-checkout', definition: checkout }))
        .status,
    ).toBe(409);
  });

  it('refuses definitions flagd would refuse, naming the flag and the path, storing nothing', async () => {
    const before = (await bed.changedEvents()).length;
    const res = await send('POST', '/api/admin/flags', {
      key: 'mixed',
      definition: { state: 'ENABLED', variants: { on: true, off: 'no' }, defaultVariant: 'on' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { detail: string; errors: unknown[] };
    expect(problem.detail).toContain('flag "mixed" at /flags/mixed/variants');
    expect(problem.errors).toEqual([
      { name: '/flags/mixed/variants', reason: expect.any(String), flag: 'mixed' },
    ]);
    const badRef = await send('POST', '/api/admin/flags', {
      key: 'ref',
      definition: { ...checkout, targeting: { if: [{ $ref: 'nobody' }, 'on', 'off'] } },
    });
    expect(badRef.status).toBe(400);
    expect(((await badRef.json()) as { errors: { name: string }[] }).errors[0]?.name).toBe(
      '/flags/ref/targeting/if/0/$ref',
    );
    expect(
      (await send('POST', '/api/admin/flags', { key: 'bad key!', definition: checkout })).status,
    ).toBe(400);
    expect((await send('POST', '/api/admin/flags', { key: 'x', definition: 'on' })).status).toBe(
      400,
    );
    expect((await send('GET', '/api/admin/flags/mixed')).status).toBe(404);
    expect((await bed.changedEvents()).length).toBe(before);
  });

  it('edits with If-Match: a stale version is 412 and changes nothing', async () => {
    const edited = await send(
      'PUT',
      '/api/admin/flags/new-checkout',
      { definition: { ...checkout, defaultVariant: 'on' } },
      { 'if-match': 'W/"1"' },
    );
    expect(edited.status).toBe(200);
    expect(edited.headers.get('etag')).toBe('W/"2"');
    const stale = await send(
      'PUT',
      '/api/admin/flags/new-checkout',
      { definition: checkout },
      { 'if-match': 'W/"1"' },
    );
    expect(stale.status).toBe(412);
    expect(await evaluate('new-checkout')).toMatchObject({ value: true });
    expect((await send('PUT', '/api/admin/flags/nope', { definition: checkout })).status).toBe(404);
  });

  it('toggles, and a disabled flag evaluates DISABLED', async () => {
    const res = await send('POST', '/api/admin/flags/new-checkout/toggle', { enabled: false });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ enabled: false, version: 3 });
    expect(await evaluate('new-checkout')).toEqual({
      key: 'new-checkout',
      reason: 'DISABLED',
      metadata: {},
    });
    expect((await bed.changedEvents()).at(-1)).toMatchObject({
      change: 'updated',
      enabled: false,
      changedFields: ['/state'],
    });
    await send('POST', '/api/admin/flags/new-checkout/toggle', { enabled: true });
  });

  it('rolls out to a percentage as a flagd fractional, and refuses what is not a rollout', async () => {
    const res = await send('PUT', '/api/admin/flags/new-checkout/rollout', { percent: 10 });
    expect(res.status).toBe(200);
    const flag = (await res.json()) as {
      definition: { targeting: unknown };
      rolloutPercent: number;
    };
    expect(flag.definition.targeting).toEqual({
      fractional: [
        ['on', 10],
        ['off', 90],
      ],
    });
    expect(flag.rolloutPercent).toBe(10);
    let on = 0;
    for (let i = 0; i < 2_000; i += 1) {
      if ((await evaluate('new-checkout', { targetingKey: `shopper-${i}` })).value === true)
        on += 1;
    }
    expect(Math.abs(on / 20 - 10)).toBeLessThanOrEqual(1.5);
    expect((await bed.changedEvents()).at(-1)).toMatchObject({ rolloutPercent: 10 });
    expect(
      (await send('PUT', '/api/admin/flags/new-checkout/rollout', { percent: 101 })).status,
    ).toBe(400);
    await send('POST', '/api/admin/flags', {
      key: 'headline',
      definition: { state: 'ENABLED', variants: { a: 'A', b: 'B', c: 'C' }, defaultVariant: 'a' },
    });
    const ambiguous = await send('PUT', '/api/admin/flags/headline/rollout', { percent: 50 });
    expect(ambiguous.status).toBe(400);
    const named = await send('PUT', '/api/admin/flags/headline/rollout', {
      percent: 50,
      variant: 'b',
      otherVariant: 'a',
    });
    expect(named.status).toBe(200);
  });

  it('keeps the history with diffs and who changed what, newest first, in pages', async () => {
    const res = await send('GET', '/api/admin/flags/new-checkout/history?limit=2');
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: Record<string, unknown>[]; nextBefore: number };
    expect(page.items.map((item) => item.version)).toEqual([5, 4]);
    expect(page.items[0]).toMatchObject({
      change: 'updated',
      changedBy: 'staff-7',
      diff: [
        {
          path: '/targeting',
          after: {
            fractional: [
              ['on', 10],
              ['off', 90],
            ],
          },
        },
      ],
    });
    const rest = (await (
      await send('GET', `/api/admin/flags/new-checkout/history?before=${page.nextBefore}`)
    ).json()) as {
      items: { version: number; change: string }[];
    };
    expect(rest.items.map((item) => item.version)).toEqual([3, 2, 1]);
    expect(rest.items.at(-1)?.change).toBe('created');
  });

  it('schedules a stepped rollout that one runner applies when due, as schedule:<id>', async () => {
    const res = await send('POST', '/api/admin/flags/new-checkout/schedule', {
      steps: [
        { at: '2026-12-01T11:00:00Z', rolloutPercent: 50 },
        { at: '2026-12-01T12:00:00Z', rolloutPercent: 100 },
      ],
    });
    expect(res.status).toBe(201);
    const { items } = (await res.json()) as { items: { id: string; status: string }[] };
    expect(items.map((item) => item.status)).toEqual(['pending', 'pending']);
    const past = await send('POST', '/api/admin/flags/new-checkout/schedule', {
      steps: [{ at: '2026-12-01T09:00:00Z', state: 'DISABLED' }],
    });
    expect(past.status).toBe(400);
    const runner = (clock: () => Date) =>
      createScheduler({
        db: bed.db,
        log: silentLogger(),
        events,
        clock,
        environment: 'dev',
        afterChange: () => bed.flags.changed(),
      });
    now = new Date('2026-12-01T11:30:00Z');
    const [a, b] = [runner(() => now), runner(() => now)];
    expect((await Promise.all([a.runDue(), b.runDue()])).reduce((x, y) => x + y, 0)).toBe(1);
    expect(await evaluate('new-checkout', { targetingKey: 'x' })).toMatchObject({
      reason: 'TARGETING_MATCH',
    });
    const flag = (await (await send('GET', '/api/admin/flags/new-checkout')).json()) as {
      rolloutPercent: number;
      updatedBy: string;
    };
    expect(flag).toMatchObject({ rolloutPercent: 50, updatedBy: `schedule:${items[0]?.id}` });
    const cancelled = await send(
      'DELETE',
      `/api/admin/flags/new-checkout/schedule/${items[1]?.id}`,
    );
    expect(cancelled.status).toBe(204);
    now = new Date('2026-12-01T13:00:00Z');
    expect(await a.runDue()).toBe(0);
    const list = (await (await send('GET', '/api/admin/flags/new-checkout/schedule')).json()) as {
      items: { status: string }[];
    };
    expect(list.items.map((item) => item.status)).toEqual(['applied', 'cancelled']);
  });

  it('exports flagd JSON that imports back unchanged, and import replaces the set', async () => {
    const exported = await send('GET', '/api/admin/flags/export');
    expect(exported.status).toBe(200);
    const file = await exported.json();
    const etag = exported.headers.get('etag') as string;
    const same = await send('PUT', '/api/admin/flags/import', file, { 'if-match': etag });
    expect(same.status).toBe(200);
    const result = (await same.json()) as {
      created: string[];
      updated: string[];
      archived: string[];
      unchanged: string[];
    };
    expect(result).toMatchObject({ created: [], updated: [], archived: [] });
    expect(await (await send('GET', '/api/admin/flags/export')).json()).toEqual(file);
    expect((await send('PUT', '/api/admin/flags/import', file, { 'if-match': etag })).status).toBe(
      412,
    );

    const replaced = await send('PUT', '/api/admin/flags/import', DEMO_FLAGS);
    const outcome = (await replaced.json()) as { created: string[]; archived: string[] };
    expect(outcome.created.sort()).toEqual(Object.keys(DEMO_FLAGS.flags).sort());
    expect(outcome.archived.sort()).toEqual(['headline', 'new-checkout']);
    expect(await evaluate('new-checkout')).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
    expect(await evaluate('storefront-new-product-page', { email: 'ann@shop.test' })).toMatchObject(
      { value: true },
    );
    const roundTrip = await (await send('GET', '/api/admin/flags/export')).json();
    await send('PUT', '/api/admin/flags/import', roundTrip);
    expect(await (await send('GET', '/api/admin/flags/export')).json()).toEqual(roundTrip);
    const invalid = await send('PUT', '/api/admin/flags/import', {
      flags: { a: { state: 'ENABLED', variants: {} } },
    });
    expect(invalid.status).toBe(400);
    expect(await (await send('GET', '/api/admin/flags/export')).json()).toEqual(roundTrip);
  });

  it('keeps per-environment values apart', async () => {
    const staging = await send('POST', '/api/admin/flags', {
      key: 'landing-headline',
      environment: 'staging',
      definition: checkout,
    });
    expect(staging.status).toBe(201);
    const dev = (await (
      await send('GET', '/api/admin/flags/landing-headline?environment=dev')
    ).json()) as { definition: { variants: object } };
    expect(Object.keys(dev.definition.variants)).toEqual(['a', 'b']);
    const list = (await (await send('GET', '/api/admin/flags?environment=staging')).json()) as {
      items: { key: string }[];
    };
    expect(list.items.map((item) => item.key)).toEqual(['landing-headline']);
    expect((await send('GET', '/api/admin/flags?environment=qa')).status).toBe(400);
  });

  it('archives a flag: evaluations answer FLAG_NOT_FOUND, its history stays', async () => {
    const res = await send('DELETE', '/api/admin/flags/fault-offer-latency-ms');
    expect(res.status).toBe(200);
    expect(await evaluate('fault-offer-latency-ms')).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
    const history = (await (
      await send('GET', '/api/admin/flags/fault-offer-latency-ms/history')
    ).json()) as { items: { change: string }[] };
    expect(history.items[0]?.change).toBe('archived');
    expect((await bed.changedEvents()).at(-1)).toMatchObject({
      flagKey: 'fault-offer-latency-ms',
      change: 'archived',
      enabled: false,
    });
  });
});
