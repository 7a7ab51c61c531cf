import { functionAudience } from '@shop/shared';
import { identityHeaders, testEventHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toAuditRecord } from '../domain/audit-record.js';
import { openCheckpoint } from '../domain/signed-note.js';
import { appendEntry } from '../store.js';
import { verifyConsistency, verifyInclusion } from '../testing/rfc9162-verifier.js';
import { asStaff, createTestbed, ORIGIN, priceChanged, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

const json = async <T>(pending: Response | Promise<Response>): Promise<T> => {
  const res = await pending;
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
};
interface Entry {
  index: number;
  action: string;
  actor: string | null;
  target: { type: string; id: string };
  before: unknown;
  after: unknown;
  requestId: string | null;
  traceId: string | null;
  source: string;
  eventId: string;
  leafHash: string;
}
const page = (query = '') =>
  json<{ items: Entry[]; nextCursor: string | null }>(
    // biome-ignore lint/style/useTemplate: reads better
    bed.get('/api/admin/audit' + query),
  );

describe('recording events', () => {
  it('records a price change with its verified actor, target, before/after, request and trace id', async () => {
    const event = priceChanged('staff-7', { from: 1000, to: 1200 });
    const res = await bed.deliver({
      ...event,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      requestid: 'req-price-1',
    });
    expect(res.status, await res.text()).toBeLessThan(300);
    const { items } = await page(`?targetId=${event.data.productId}`);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      action: 'shop.offer.price_changed',
      actor: 'staff-7',
      target: { type: 'product', id: event.data.productId },
      before: { price: { amount: 1000, currency: 'EUR' } },
      after: { price: { amount: 1200, currency: 'EUR' } },
      requestId: 'req-price-1',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      source: '/shop/offer',
    });
  });

  it('keeps no request id that could forge a log line', async () => {
    const event = priceChanged('staff-7', { from: 1000, to: 1100 });
    const res = await bed.deliver({
      ...event,
      requestid: 'bad id " forged=1',
    });
    expect(res.status, await res.text()).toBeLessThan(300);
    const { items } = await page(`?targetId=${event.data.productId}`);
    expect(items[0]?.requestId).toBeNull();
  });

  it('stores one entry for an event delivered twice', async () => {
    const event = { ...priceChanged('staff-8', { from: 5, to: 6 }), id: crypto.randomUUID() };
    expect((await bed.deliver(event)).status).toBeLessThan(300);
    expect((await bed.deliver(event)).status).toBeLessThan(300);
    const { items } = await page(`?targetId=${event.data.productId}`);
    expect(items).toHaveLength(1);
  });

  it('keeps no email or name of a registering user, only the pseudonymous id', async () => {
    const userId = crypto.randomUUID();
    await bed.deliver({
      type: 'shop.user.registered',
      source: '/shop/auth',
      data: {
        userId,
        email: 'ada@example.com',
        displayName: 'Ada',
        locale: 'en',
        marketingConsent: false,
        registeredAt: new Date().toISOString(),
      },
    });
    const { items } = await page(`?targetId=${userId}`);
    expect(items).toHaveLength(1);
    expect(JSON.stringify(items[0])).not.toMatch(/ada@example\.com|"Ada"/);
  });

  it('records an erasure as one more entry and rewrites none: the log and its proofs stay valid', async () => {
    const userId = crypto.randomUUID();
    await bed.deliver({
      type: 'shop.user.registered',
      source: '/shop/auth',
      data: {
        userId,
        email: 'erin@example.com',
        displayName: 'Erin',
        locale: 'de-DE',
        marketingConsent: true,
        registeredAt: new Date().toISOString(),
      },
    });
    const [registration] = (await page(`?targetId=${userId}`)).items;
    expect((await bed.auditLog.verify()).ok).toBe(true);
    const erased = await bed.deliver({
      type: 'shop.user.erased',
      source: '/shop/user',
      data: { userId, requestedBy: userId, erasedAt: new Date().toISOString() },
    });
    expect(erased.status).toBeLessThan(300);
    const { items } = await page(`?targetId=${userId}`);
    expect(items.map((e) => e.action)).toEqual(['shop.user.erased', 'shop.user.registered']);
    // The registration entry is as it was, leaf hash and all: the log is never rewritten.
    expect(items[1]).toEqual(registration);
    expect(items[0]).toMatchObject({ actor: userId, after: { erased: true } });
    expect(JSON.stringify(items)).not.toMatch(/erin@example\.com|"Erin"/);
    expect(await bed.auditLog.verify()).toMatchObject({ ok: true, firstProblem: null });
  });

  it('gives concurrent events consecutive indexes, one tree, through the single sequencer', async () => {
    const before = await bed.auditLog.size();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        bed.deliver(priceChanged(`racer-${i}`, { from: i, to: i + 1 })),
      ),
    );
    expect(results.every((res) => res.status < 300)).toBe(true);
    expect(await bed.auditLog.size()).toBe(before + 12);
    const { rows } = await bed.db.query<{ idx: number }>(
      'SELECT idx FROM audit.entry ORDER BY idx',
    );
    expect(rows.map((row) => row.idx)).toEqual(rows.map((_, i) => i));
    expect((await bed.auditLog.verify()).ok).toBe(true);
  });

  it('refuses a forged sender and an invalid event, storing nothing', async () => {
    const before = await bed.auditLog.size();
    const forged = await bed.app.request('/events', {
      method: 'POST',
      headers: {
        ...testEventHeaders(functionAudience('audit'), { foreignKey: true }),
        'ce-specversion': '1.0',
        'ce-id': crypto.randomUUID(),
        'ce-source': '/shop/offer',
        'ce-type': 'shop.offer.price_changed',
        'content-type': 'application/json',
      },
      body: JSON.stringify(priceChanged('attacker', { from: 1, to: 0 }).data),
    });
    expect(forged.status).toBe(401);
    const spoofedSource = await bed.deliver({
      ...priceChanged('attacker', { from: 1, to: 0 }),
      source: '/shop/cart',
    });
    expect(spoofedSource.status).toBeGreaterThanOrEqual(400);
    const invalid = await bed.deliver({
      type: 'shop.offer.price_changed',
      source: '/shop/offer',
      data: { x: 1 },
    });
    expect(invalid.status).toBe(400);
    expect(await bed.auditLog.size()).toBe(before);
  });
});

describe('reading the log', () => {
  beforeAll(async () => {
    for (let i = 0; i < 5; i++)
      await bed.deliver(priceChanged('reader-staff', { from: i, to: i + 1 }));
  });

  it('filters by actor and action and pages with an opaque cursor bound to the filter', async () => {
    const first = await page('?actor=reader-staff&action=shop.offer.price_changed&limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.items.every((e) => e.actor === 'reader-staff')).toBe(true);
    const second = await page(
      `?actor=reader-staff&action=shop.offer.price_changed&limit=2&cursor=${first.nextCursor}`,
    );
    expect(second.items[0]?.index).toBeLessThan(first.items[1]?.index as number);
    const third = await page(
      `?actor=reader-staff&action=shop.offer.price_changed&limit=2&cursor=${second.nextCursor}`,
    );
    expect(third.items).toHaveLength(1);
    expect(third.nextCursor).toBeNull();
    const misused = await bed.get(`/api/admin/audit?actor=someone-else&cursor=${first.nextCursor}`);
    expect(misused.status).toBe(400);
    expect(misused.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('filters by time', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await page(`?from=${encodeURIComponent(future)}`)).items).toEqual([]);
    expect((await page(`?to=${encodeURIComponent(future)}&actor=reader-staff`)).items).toHaveLength(
      5,
    );
    expect((await bed.get('/api/admin/audit?from=yesterday')).status).toBe(400);
  });

  it('exports CSV', async () => {
    const res = await bed.get('/api/admin/audit/export.csv?actor=reader-staff');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines).toHaveLength(6);
  });

  it('answers staff only', async () => {
    expect((await bed.app.request('/api/admin/audit')).status).toBe(401);
    const shopper = identityHeaders({ userId: 'u1', roles: ['shopper'] });
    expect((await bed.app.request('/api/admin/audit', { headers: shopper })).status).toBe(403);
  });
});

describe('checkpoints and proofs', () => {
  it('signs a checkpoint whose root the inclusion and consistency proofs lead to', async () => {
    const made = await bed.app.request('/api/admin/audit/checkpoint', {
      method: 'POST',
      headers: (await import('../testing/testbed.js')).asStaff(),
    });
    expect(made.status).toBe(201);
    const note = await made.text();
    const checkpoint = openCheckpoint(note, ORIGIN, bed.publicKey);
    expect(checkpoint.size).toBe(await bed.auditLog.size());
    expect(await (await bed.get('/api/admin/audit/checkpoint')).text()).toBe(note);
    const key = await (await bed.get('/api/admin/audit/checkpoint/key')).text();
    expect(key).toMatch(new RegExp(`^${ORIGIN.replaceAll('.', '\\.')}\\+[0-9a-f]{8}\\+`));

    const { size, rootHash } = checkpoint;
    for (const index of [0, 1, size - 1]) {
      const proof = await json<{ leafHash: string; proof: string[] }>(
        bed.get(`/api/admin/audit/proof/inclusion?index=${index}&size=${size}`),
      );
      const path = proof.proof.map((p) => Buffer.from(p, 'base64'));
      const leaf = Buffer.from(proof.leafHash, 'base64');
      expect(verifyInclusion(index, size, leaf, path, rootHash)).toBe(true);
      // The leaf the listing shows is the one proven.
      const listed = (await page(`?limit=200`)).items.find((e) => e.index === index);
      expect(listed?.leafHash).toBe(proof.leafHash);
    }
    const consistency = await json<{ proof: string[] }>(
      bed.get(`/api/admin/audit/proof/consistency?from=3&to=${size}`),
    );
    expect(consistency.proof.length).toBeGreaterThan(0);
    expect(
      (await bed.get(`/api/admin/audit/proof/inclusion?index=${size}&size=${size}`)).status,
    ).toBe(400);
    expect(
      (await bed.get(`/api/admin/audit/proof/inclusion?index=0&size=${size + 100}`)).status,
    ).toBe(400);
    expect((await bed.get(`/api/admin/audit/proof/consistency?from=5&to=2`)).status).toBe(400);
    expect((await bed.get(`/api/admin/audit/proof/inclusion?index=-1&size=2`)).status).toBe(400);
  });
});

describe('proofs a third party checks', () => {
  const checkpoint = async () => {
    await bed.deliver(priceChanged('staff-proof', { from: 1, to: 2 }));
    const res = await bed.app.request('/api/admin/audit/checkpoint', {
      method: 'POST',
      headers: asStaff(),
    });
    expect(res.status).toBe(201);
    return openCheckpoint(await res.text(), ORIGIN, bed.publicKey);
  };
  const hashes = (list: string[]) => list.map((p) => Buffer.from(p, 'base64'));
  const flipped = (hash: Buffer) => Buffer.from(hash.map((b, i) => (i === 0 ? b ^ 1 : b)));

  it('proves with an independent RFC 9162 verifier that a checkpoint extends the last, and refuses any mutation', async () => {
    const first = await checkpoint();
    await bed.deliver(priceChanged('staff-proof', { from: 2, to: 3 }));
    await bed.deliver(priceChanged('staff-proof', { from: 3, to: 4 }));
    const second = await checkpoint();
    const { proof } = await json<{ proof: string[] }>(
      bed.get(`/api/admin/audit/proof/consistency?from=${first.size}&to=${second.size}`),
    );
    const path = hashes(proof);
    const ok = (from: number, to: number, a: Buffer, b: Buffer, p: Buffer[]) =>
      verifyConsistency(from, to, a, b, p);
    expect(ok(first.size, second.size, first.rootHash, second.rootHash, path)).toBe(true);
    expect(ok(first.size, second.size, first.rootHash, flipped(second.rootHash), path)).toBe(false);
    // Sizes are bound to their roots by the signed checkpoints; a tree of another height fails.
    expect(ok(first.size, second.size * 2, first.rootHash, second.rootHash, path)).toBe(false);
    expect(ok(first.size, second.size, flipped(first.rootHash), second.rootHash, path)).toBe(false);
    const bent = path.map((p, i) => (i === path.length - 1 ? flipped(p) : p));
    expect(ok(first.size, second.size, first.rootHash, second.rootHash, bent)).toBe(false);

    const index = first.size - 1;
    const inclusion = await json<{ leafHash: string; proof: string[] }>(
      bed.get(`/api/admin/audit/proof/inclusion?index=${index}&size=${second.size}`),
    );
    const leaf = Buffer.from(inclusion.leafHash, 'base64');
    const audit = hashes(inclusion.proof);
    const { rootHash: root, size } = second;
    expect(verifyInclusion(index, size, leaf, audit, root)).toBe(true);
    expect(verifyInclusion(index, size, flipped(leaf), audit, root)).toBe(false);
    expect(verifyInclusion(index + 1, size, leaf, audit, root)).toBe(false);
    // A tree of another height (a size whose path has the same shape leads to the same root,
    // which is why a checkpoint signs the size with the root).
    expect(verifyInclusion(index, size * 2, leaf, audit, root)).toBe(false);
    expect(verifyInclusion(index, size, leaf, audit.map(flipped), root)).toBe(false);
    expect(verifyInclusion(index, size, leaf, audit.slice(1), root)).toBe(false);
  });
});

describe('append-only storage', () => {
  it('refuses UPDATE, DELETE and TRUNCATE even for the owner, through triggers', async () => {
    await expect(bed.db.query(`UPDATE audit.entry SET actor = 'x' WHERE idx = 0`)).rejects.toThrow(
      /append-only/,
    );
    await expect(bed.db.query('DELETE FROM audit.entry WHERE idx = 0')).rejects.toThrow(
      /append-only/,
    );
    await expect(bed.db.query('TRUNCATE audit.entry')).rejects.toThrow(/append-only/);
    await expect(bed.db.query('UPDATE audit.log_head SET size = 0')).rejects.toThrow(/only grows/);
  });

  it('gives the service role no UPDATE, DELETE or TRUNCATE privilege, only SELECT and INSERT', async () => {
    const { rows } = await bed.db.query<{ privilege: string; granted: boolean }>(
      `SELECT p AS privilege, has_table_privilege('audit_writer', 'audit.entry', p) AS granted
       FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.privilege, r.granted]))).toEqual({
      SELECT: true,
      INSERT: true,
      UPDATE: false,
      DELETE: false,
      TRUNCATE: false,
    });
    await bed.db.transaction(async (tx) => {
      await tx.query('SET LOCAL ROLE audit_writer');
      await expect(tx.query('SELECT count(*) FROM audit.entry')).resolves.toBeDefined();
      await tx.query('SAVEPOINT s');
      await expect(tx.query(`UPDATE audit.entry SET actor = 'x'`)).rejects.toThrow(
        /permission denied/,
      );
      await tx.query('ROLLBACK TO SAVEPOINT s');
      await expect(tx.query('DELETE FROM audit.entry')).rejects.toThrow(/permission denied/);
      await tx.query('ROLLBACK TO SAVEPOINT s');
      await expect(tx.query('TRUNCATE audit.entry')).rejects.toThrow(/permission denied/);
      await tx.query('ROLLBACK TO SAVEPOINT s');
    });
  });
});

describe('the service role', () => {
  it('appends entries and marks events handled with only the grants of audit_writer', async () => {
    const before = await bed.auditLog.size();
    await bed.db.transaction(async (tx) => {
      await tx.query('SET LOCAL ROLE audit_writer');
      await tx.query('INSERT INTO audit.inbox (source, id) VALUES ($1, $2)', [
        '/shop/offer',
        'role-test',
      ]);
      const event = priceChanged('role-staff', { from: 1, to: 2 });
      const { appended } = await appendEntry(tx, {
        source: event.source,
        eventId: 'role-test',
        record: toAuditRecord({
          ...event,
          id: 'role-test',
          time: undefined,
          traceparent: undefined,
        }),
        recordedAt: new Date(),
      });
      expect(appended).toBe(true);
    });
    expect(await bed.auditLog.size()).toBe(before + 1);
    expect((await bed.auditLog.verify()).ok).toBe(true);
  });
});

// A superuser can switch triggers off: these are the attacks the checkpoints exist for.
describe('tampering by a superuser', () => {
  let tampered: Testbed;
  beforeEach(async () => {
    tampered = await createTestbed();
    for (let i = 0; i < 6; i++) {
      await tampered.deliver(priceChanged(`staff-${i}`, { from: i, to: i + 10 }));
      if (i === 2 || i === 5) await tampered.auditLog.checkpoint();
    }
    const clean = await tampered.auditLog.verify();
    expect(clean).toMatchObject({ ok: true, size: 6, checkpointsChecked: 2, firstProblem: null });
  });
  afterAll(() => tampered?.cleanup());
  const asSuperuser = (sql: string) =>
    tampered.db.exec(
      `ALTER TABLE audit.entry DISABLE TRIGGER USER; ALTER TABLE audit.log_head DISABLE TRIGGER USER;
       ${sql};
       ALTER TABLE audit.entry ENABLE TRIGGER USER; ALTER TABLE audit.log_head ENABLE TRIGGER USER;`,
    );
  const verify = async () =>
    json<{ ok: boolean; firstProblem: Record<string, unknown> }>(
      tampered.get('/api/admin/audit/verify'),
    );

  it('names an edited row', async () => {
    await asSuperuser(`UPDATE audit.entry SET actor = 'someone-else' WHERE idx = 4`);
    expect(await verify()).toMatchObject({
      ok: false,
      firstProblem: { problem: 'entry_changed', index: 4 },
    });
  });

  it('names a deleted row', async () => {
    await asSuperuser('DELETE FROM audit.entry WHERE idx = 1');
    expect(await verify()).toMatchObject({
      ok: false,
      firstProblem: { problem: 'entry_missing', index: 1 },
    });
  });

  it('names a truncated tail, even with the head moved back', async () => {
    await asSuperuser('DELETE FROM audit.entry WHERE idx >= 4; UPDATE audit.log_head SET size = 4');
    expect(await verify()).toMatchObject({
      ok: false,
      firstProblem: { problem: 'log_truncated', index: 4, checkpointSize: 6 },
    });
  });

  it('names where a rewrite from the tip, hashes and all, departs from the signed checkpoints', async () => {
    // Entries 3…5 replaced by self-consistent forgeries (leaf hashes recomputed): only the
    // signed checkpoint of size 6, published outside the database, tells.
    await asSuperuser('DELETE FROM audit.entry WHERE idx >= 3; UPDATE audit.log_head SET size = 3');
    for (let i = 3; i < 6; i++) await tampered.deliver(priceChanged('forger', { from: 0, to: 1 }));
    const report = await verify();
    expect(report).toMatchObject({
      ok: false,
      firstProblem: { problem: 'checkpoint_mismatch', index: 3, checkpointSize: 6 },
    });
    // And the log refuses to sign over the rewritten past.
    const res = await tampered.app.request('/api/admin/audit/checkpoint', {
      method: 'POST',
      headers: (await import('../testing/testbed.js')).asStaff(),
    });
    expect(res.status).toBe(409);
  });
});
