import { identityHeaders } from '@shop/shared/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asStaff, basic, createTestbed, post, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeEach(async () => {
  bed = await createTestbed();
});
afterEach(async () => {
  await bed.cleanup();
});

const get = (path: string, headers: Record<string, string> = asStaff()) =>
  Promise.resolve(bed.app.request(path, { headers }));

/** The outbox rows of a source (type, data), in the order the relay publishes them. */
const outboxOf = async (sourceId: string) =>
  (
    await bed.db.query<{ type: string; partition_key: string; data: Record<string, unknown> }>(
      'SELECT type, partition_key, data FROM analytics_ingest.outbox WHERE subject = $1 ORDER BY id',
      [sourceId],
    )
  ).rows;

describe('/api/admin/analytics/sources', () => {
  it('shows a new write key once and stores only its keyed hash', async () => {
    const res = await post(
      bed.app,
      '/api/admin/analytics/sources',
      { name: 'storefront', site: 'https://shop.example' },
      asStaff('ann'),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const created = (await res.json()) as {
      id: string;
      writeKey: string;
      keyHint: string;
      createdBy: string;
    };
    expect(created.writeKey).toMatch(/^wk_[A-Za-z0-9_-]{32}$/);
    expect(created.keyHint).toBe(`${created.writeKey.slice(0, 7)}…`);
    expect(created.createdBy).toBe('ann');
    const stored = await bed.db.query<{ row: string }>(
      'SELECT row_to_json(s)::text AS row FROM analytics_ingest.source s WHERE id = $1',
      [created.id],
    );
    expect(stored.rows[0]?.row).not.toContain(created.writeKey.slice(3));
    const listed = await (await get('/api/admin/analytics/sources')).text();
    expect(listed).toContain(created.id);
    expect(listed).not.toContain(created.writeKey);
    expect(
      (await post(bed.app, '/v1/track', { event: 'e', anonymousId: 'a' }, basic(created.writeKey)))
        .status,
    ).toBe(200);
  });

  it('records the creation and the revocation of a write key for audit, with the actor and never the key', async () => {
    const res = await post(
      bed.app,
      '/api/admin/analytics/sources',
      { name: 'audited', site: 'https://shop.example' },
      asStaff('ann'),
    );
    const created = (await res.json()) as {
      id: string;
      writeKey: string;
      keyHint: string;
      createdAt: string;
    };
    for (const by of ['bob', 'carl']) {
      const revoke = `/api/admin/analytics/sources/${created.id}/revoke`;
      expect((await post(bed.app, revoke, {}, asStaff(by))).status).toBe(200);
    }
    const rows = await outboxOf(created.id);
    // The second revocation changed nothing and recorded nothing.
    expect(rows.map((row) => row.type)).toEqual([
      'shop.analytics_source.created',
      'shop.analytics_source.revoked',
    ]);
    expect(rows.every((row) => row.partition_key === created.id)).toBe(true);
    expect(rows[0]?.data).toEqual({
      sourceId: created.id,
      name: 'audited',
      site: 'https://shop.example',
      keyHint: created.keyHint,
      createdBy: 'ann',
      createdAt: created.createdAt,
    });
    expect(rows[1]?.data).toEqual({
      sourceId: created.id,
      name: 'audited',
      keyHint: created.keyHint,
      revokedBy: 'bob',
      revokedAt: expect.any(String),
    });
    expect(JSON.stringify(rows)).not.toContain(created.writeKey.slice(7));
    // A refused creation (the name is live) records nothing.
    await post(bed.app, '/api/admin/analytics/sources', { name: 'again' }, asStaff());
    const before = await bed.db.query('SELECT 1 FROM analytics_ingest.outbox');
    expect(
      (await post(bed.app, '/api/admin/analytics/sources', { name: 'Again' }, asStaff())).status,
    ).toBe(409);
    const after = await bed.db.query('SELECT 1 FROM analytics_ingest.outbox');
    expect(after.rowCount).toBe(before.rowCount);
  });

  it('keeps one live source per name', async () => {
    expect(
      (await post(bed.app, '/api/admin/analytics/sources', { name: 'landing' }, asStaff())).status,
    ).toBe(201);
    const again = await post(
      bed.app,
      '/api/admin/analytics/sources',
      { name: 'Landing' },
      asStaff(),
    );
    expect(again.status).toBe(409);
  });

  it('counts accepted, deduped and rejected events by reason per source', async () => {
    const call = { type: 'track', event: 'e', anonymousId: 'a', messageId: crypto.randomUUID() };
    await post(
      bed.app,
      '/v1/batch',
      { batch: [call, call, { type: 'track', event: 'e' }, { type: 'nope' }] },
      basic(bed.writeKey),
    );
    const res = await get(`/api/admin/analytics/sources/${bed.sourceId}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { counts: unknown }).counts).toEqual({
      accepted: 1,
      deduped: 1,
      rejected: 2,
      rejectedByReason: { no_user_anon_id: 1, invalid_type: 1 },
    });
  });

  it('revokes a source: its key is refused, the source stays listed as revoked', async () => {
    const res = await post(
      bed.app,
      `/api/admin/analytics/sources/${bed.sourceId}/revoke`,
      {},
      asStaff('bob'),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'revoked', revokedBy: 'bob' });
    expect(
      (await post(bed.app, '/v1/track', { event: 'e', anonymousId: 'a' }, basic(bed.writeKey)))
        .status,
    ).toBe(401);
    const missing = await post(
      bed.app,
      `/api/admin/analytics/sources/${crypto.randomUUID()}/revoke`,
      {},
      asStaff(),
    );
    expect(missing.status).toBe(404);
  });

  it('answers staff only', async () => {
    expect((await get('/api/admin/analytics/sources', {})).status).toBe(401);
    const shopper = identityHeaders({ userId: 'u1', roles: ['shopper'] });
    expect((await get('/api/admin/analytics/sources', shopper)).status).toBe(403);
    expect(
      (await post(bed.app, '/api/admin/analytics/sources', { name: 'x' }, shopper)).status,
    ).toBe(403);
  });

  it('refuses bad input with 400 problem+json', async () => {
    for (const body of [
      {},
      { name: '' },
      { name: 'x'.repeat(101) },
      { name: 'a\u0000b' },
      { name: 'x', extra: 1 },
    ]) {
      const res = await post(bed.app, '/api/admin/analytics/sources', body, asStaff());
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await get('/api/admin/analytics/sources/not-a-uuid')).status).toBe(400);
  });
});
