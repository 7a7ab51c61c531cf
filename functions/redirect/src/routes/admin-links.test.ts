import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, sendAsStaff, type Testbed, uniqueCode } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

const outboxOf = async (linkId: string) =>
  (
    await bed.db.query<{ type: string; data: Record<string, unknown> }>(
      `SELECT type, data FROM redirect.outbox WHERE data->>'linkId' = $1 ORDER BY id`,
      [linkId],
    )
  ).rows;

describe('/api/admin/links', () => {
  it('answers only staff', async () => {
    expect((await bed.app.request('/api/admin/links')).status).toBe(401);
    const shopper = await sendAsStaff(bed.app, 'GET', '/api/admin/links', undefined, {
      authorization: (await import('@shop/shared/testing')).identityHeaders({
        userId: 'u1',
        roles: ['shopper'],
      }).authorization,
    });
    expect(shopper.status).toBe(403);
  });

  it('creates a link with UTM parameters, records shop.link.created and shop.link.changed', async () => {
    const code = uniqueCode('Summer');
    const res = await sendAsStaff(bed.app, 'POST', '/api/admin/links', {
      code: `  ${code} `,
      destinationUrl: 'https://landing.shop.example/summer',
      affiliateId: 'aff-1',
      campaign: 'summer',
      utm: { source: 'aff-1', medium: 'affiliate' },
    });
    expect(res.status).toBe(201);
    const link = (await res.json()) as Record<string, unknown>;
    expect(link).toMatchObject({
      code,
      path: `/r/${code}`,
      caseSensitive: false,
      destinationUrl: 'https://landing.shop.example/summer',
      utm: { source: 'aff-1', medium: 'affiliate' },
      status: 'active',
      redirectStatus: 302,
      hasPassword: false,
      version: 1,
      createdBy: 'staff-test',
      warnings: [],
    });
    expect(res.headers.get('location')).toBe(`/api/admin/links/${link.id}`);
    const outbox = await outboxOf(link.id as string);
    expect(outbox.map((e) => e.type)).toEqual(['shop.link.created', 'shop.link.changed']);
    expect(outbox[1]?.data).toMatchObject({
      change: 'created',
      codes: [code],
      changedBy: 'staff-test',
    });
  });

  it('refuses a destination off the allowlist with a problem naming the field, storing nothing', async () => {
    const code = uniqueCode('evil');
    const res = await sendAsStaff(bed.app, 'POST', '/api/admin/links', {
      code,
      destinationUrl: 'https://shop.example@evil.example/',
      rules: [{ countries: ['DE'], destinationUrl: 'javascript:alert(1)' }],
      variants: [
        { destinationUrl: 'https://shop.example/a', weight: 1 },
        { destinationUrl: 'https://2130706433/', weight: 1 },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { type: string; errors: { name: string }[] };
    expect(problem.type).toBe('https://shop.example/problems/unsafe-destination');
    expect(problem.errors.map((e) => e.name)).toEqual([
      'json.destinationUrl',
      'json.rules.0.destinationUrl',
      'json.variants.1.destinationUrl',
    ]);
    const list = await sendAsStaff(bed.app, 'GET', `/api/admin/links?q=${code}`);
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('refuses a bad edit and keeps the stored link as it was', async () => {
    const created = await sendAsStaff(bed.app, 'POST', '/api/admin/links', {
      code: uniqueCode('keep'),
      destinationUrl: 'https://shop.example/keep',
    });
    const link = (await created.json()) as { id: string };
    const bad = await sendAsStaff(bed.app, 'PATCH', `/api/admin/links/${link.id}`, {
      destinationUrl: 'http://shop.example/keep',
    });
    expect(bad.status).toBe(400);
    const after = await sendAsStaff(bed.app, 'GET', `/api/admin/links/${link.id}`);
    expect(await after.json()).toMatchObject({
      destinationUrl: 'https://shop.example/keep',
      version: 1,
    });
  });

  it('refuses a code that is taken without case, and invalid codes', async () => {
    const code = uniqueCode('Taken');
    await sendAsStaff(bed.app, 'POST', '/api/admin/links', {
      code,
      destinationUrl: 'https://shop.example/',
    });
    const again = await sendAsStaff(bed.app, 'POST', '/api/admin/links', {
      code: code.toUpperCase(),
      destinationUrl: 'https://shop.example/',
    });
    expect(again.status).toBe(409);
    for (const bad of ['a/b', 'with space', '../x', '', 'x'.repeat(65), 'semi;colon']) {
      const res = await sendAsStaff(bed.app, 'POST', '/api/admin/links', {
        code: bad,
        destinationUrl: 'https://shop.example/',
      });
      expect(res.status, bad).toBe(400);
    }
  });

  it('accepts unicode codes, NFC-normalised', async () => {
    const decomposed = `cafe\u0301-${crypto.randomUUID().slice(0, 6)}`;
    const res = await sendAsStaff(bed.app, 'POST', '/api/admin/links', {
      code: decomposed,
      destinationUrl: 'https://shop.example/',
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { code: string }).code).toBe(decomposed.normalize('NFC'));
  });

  it('edits, disables and enables with versions, each recording shop.link.changed', async () => {
    const created = await sendAsStaff(bed.app, 'POST', '/api/admin/links', {
      code: uniqueCode('edit'),
      destinationUrl: 'https://shop.example/one',
    });
    const link = (await created.json()) as { id: string; code: string };
    const edited = await sendAsStaff(
      bed.app,
      'PATCH',
      `/api/admin/links/${link.id}`,
      { destinationUrl: 'https://shop.example/two', redirectStatus: 301 },
      { 'if-match': 'W/"1"' },
    );
    expect(edited.status).toBe(200);
    const body = (await edited.json()) as { version: number; warnings: string[] };
    expect(body.version).toBe(2);
    expect(body.warnings[0]).toMatch(/Browsers cache a 301/);
    const stale = await sendAsStaff(
      bed.app,
      'POST',
      `/api/admin/links/${link.id}/disable`,
      undefined,
      { 'if-match': 'W/"1"' },
    );
    expect(stale.status).toBe(412);
    const disabled = await sendAsStaff(bed.app, 'POST', `/api/admin/links/${link.id}/disable`);
    expect(await disabled.json()).toMatchObject({ status: 'disabled', version: 3 });
    const enabled = await sendAsStaff(bed.app, 'POST', `/api/admin/links/${link.id}/enable`);
    expect(await enabled.json()).toMatchObject({ status: 'active', version: 4 });
    const changes = (await outboxOf(link.id)).filter((e) => e.type === 'shop.link.changed');
    expect(changes.map((e) => [e.data.change, e.data.changedFields])).toEqual([
      ['created', expect.any(Array)],
      ['updated', ['destinationUrl', 'redirectStatus']],
      ['disabled', ['status']],
      ['enabled', ['status']],
    ]);
  });

  it('stores a password only as an argon2id hash', async () => {
    const created = await sendAsStaff(bed.app, 'POST', '/api/admin/links', {
      code: uniqueCode('secret'),
      destinationUrl: 'https://shop.example/vip',
      password: 'open sesame 42',
    });
    const link = (await created.json()) as { id: string; hasPassword: boolean };
    expect(link.hasPassword).toBe(true);
    expect(JSON.stringify(link)).not.toContain('open sesame');
    const { rows } = await bed.db.query<{ password_hash: string }>(
      'SELECT password_hash FROM redirect.link WHERE id = $1',
      [link.id],
    );
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const outbox = JSON.stringify(await outboxOf(link.id));
    expect(outbox).not.toContain('argon2');
    expect(outbox).not.toContain('open sesame');
  });

  it('lists with search and cursor pages, newest first', async () => {
    const campaign = uniqueCode('campaign');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await sendAsStaff(bed.app, 'POST', '/api/admin/links', {
        code: uniqueCode('page'),
        destinationUrl: 'https://shop.example/',
        campaign,
      });
      ids.push(((await res.json()) as { id: string }).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await sendAsStaff(
        bed.app,
        'GET',
        `/api/admin/links?q=${campaign}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const bad = await sendAsStaff(bed.app, 'GET', '/api/admin/links?cursor=nonsense');
    expect(bad.status).toBe(400);
  });
});
