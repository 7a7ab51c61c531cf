import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintSearch } from '../domain/encode-cursor.js';
import {
  createTestbed,
  type ProfileJson,
  registeredShopper,
  send,
  shopper,
  staff,
  type Testbed,
} from '../testing/fixtures.js';

let bed: Testbed;
const clerk = staff();
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

interface Page {
  items: ProfileJson[];
  nextCursor: string | null;
}

async function list(query: string): Promise<Page> {
  const res = await send(bed.app, 'GET', `/api/admin/users?${query}`, { who: clerk });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
}

describe('/api/admin/users', () => {
  it('answers 401 without identity and 403 to shoppers', async () => {
    expect((await send(bed.app, 'GET', '/api/admin/users')).status).toBe(401);
    const res = await send(bed.app, 'GET', '/api/admin/users', { who: shopper() });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it("refuses a shopper reading another user's record with 403", async () => {
    const { data } = await registeredShopper(bed.app);
    const res = await send(bed.app, 'GET', `/api/admin/users/${data.userId}`, { who: shopper() });
    expect(res.status).toBe(403);
    // Even their own record is not reachable through the staff route.
    const own = await send(bed.app, 'GET', `/api/admin/users/${data.userId}`, {
      who: shopper(data.userId),
    });
    expect(own.status).toBe(403);
  });

  it('shows staff one customer with addresses and consent history', async () => {
    const { who, data } = await registeredShopper(bed.app, { marketingConsent: true });
    await send(bed.app, 'POST', '/api/users/me/addresses', {
      who,
      body: { name: 'A', line1: 'B 1', postalCode: '1000', city: 'Wien', country: 'AT' },
    });
    const res = await send(bed.app, 'GET', `/api/admin/users/${data.userId}`, { who: clerk });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ProfileJson & { consentHistory: unknown[] };
    expect(body).toMatchObject({ id: data.userId, email: data.email });
    expect(body.addresses).toHaveLength(1);
    expect(body.consentHistory).toHaveLength(1);
    const missing = await send(bed.app, 'GET', `/api/admin/users/${crypto.randomUUID()}`, {
      who: clerk,
    });
    expect(missing.status).toBe(404);
    const bad = await send(bed.app, 'GET', '/api/admin/users/nope', { who: clerk });
    expect(bad.status).toBe(400);
  });

  it('answers 400 to a forged cursor of year 0000, of garbage or of control characters', async () => {
    const forged = Buffer.from(
      JSON.stringify({
        v: 1,
        f: fingerprintSearch(undefined),
        t: '0000-01-01T00:00:00.000Z',
        i: '01940000-0000-7000-8000-000000000001',
      }),
    ).toString('base64url');
    for (const cursor of [forged, 'garbage!', '%00', '%ED%A0%80']) {
      const res = await send(bed.app, 'GET', `/api/admin/users?cursor=${cursor}`, { who: clerk });
      expect(res.status, cursor).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('searches by email prefix and by name, case-insensitively', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const { data: zoe } = await registeredShopper(bed.app, {
      email: `zoe.${tag}@example.com`,
      displayName: 'Zoë Quartermain',
    });
    const { data: max } = await registeredShopper(bed.app, {
      email: `max.${tag}@example.com`,
      displayName: `Max ${tag}`,
    });
    expect((await list(`q=ZOE.${tag}`)).items.map((i) => i.id)).toEqual([zoe.userId]);
    expect((await list('q=quarterMAIN')).items.map((i) => i.id)).toEqual([zoe.userId]);
    expect((await list(`q=${tag}`)).items.map((i) => i.id)).toEqual([max.userId]);
    // LIKE wildcards match literally.
    expect((await list('q=%25')).items).toEqual([]);
    expect((await list('q=_')).items).toEqual([]);
  });

  it('pages through every customer once with a cursor, newest first', async () => {
    const tag = `page${crypto.randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { data } = await registeredShopper(bed.app, { email: `${tag}.${i}@example.com` });
      ids.push(data.userId);
    }
    const seen: string[] = [];
    const summaries: ProfileJson[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await list(`q=${tag}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((item) => item.id));
      summaries.push(...page.items);
      expect(page.items.length).toBeLessThanOrEqual(3);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    // The listing shows summaries; addresses are on the detail route only.
    expect(summaries.some((item) => 'addresses' in item)).toBe(false);
  });

  it('refuses a cursor of another search and bad parameters with 400', async () => {
    const tag = `cur${crypto.randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 3; i++) await registeredShopper(bed.app, { email: `${tag}.${i}@x.org` });
    const { nextCursor } = await list(`q=${tag}&limit=1`);
    expect(nextCursor).toBeTruthy();
    const other = await send(bed.app, 'GET', `/api/admin/users?q=other&cursor=${nextCursor}`, {
      who: clerk,
    });
    expect(other.status).toBe(400);
    for (const query of ['limit=0', 'limit=101', 'limit=x', 'cursor=%00%01']) {
      const res = await send(bed.app, 'GET', `/api/admin/users?${query}`, { who: clerk });
      expect(res.status, query).toBe(400);
    }
  });
});
