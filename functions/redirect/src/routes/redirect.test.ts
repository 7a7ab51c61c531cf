import { eventCatalog } from '@shop/eventing';
import {
  createMemoryKafka,
  createMemoryKeyValue,
  functionAudience,
  type KafkaClient,
  type KeyValue,
  parseEventData,
  silentLogger,
} from '@shop/shared';
import { testEventHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLinkCache } from '../link-cache.js';
import { createTestbed, sendAsStaff, type Testbed, uniqueCode, visit } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

async function createLink(body: Record<string, unknown>): Promise<{ id: string; code: string }> {
  const res = await sendAsStaff(bed.app, 'POST', '/api/admin/links', {
    code: uniqueCode('link'),
    destinationUrl: 'https://landing.shop.example/summer',
    ...body,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; code: string };
}

const cookieOf = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith(`${name}=`))
    ?.split(';')[0];

async function clicksOf(linkId: string) {
  return (await bed.recordedClicks()).filter((record) => record.data.linkId === linkId);
}

describe('GET /r/:code', () => {
  it('answers 302 to the destination with UTM, the visitor query and a click id; never cached or indexed', async () => {
    const link = await createLink({
      affiliateId: 'aff-7',
      campaign: 'summer',
      utm: { source: 'aff-7', medium: 'affiliate' },
    });
    const res = await visit(
      bed.app,
      `/r/${link.code}?sub=42&utm_source=attacker&shop_click=forged&host=evil.example`,
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('x-robots-tag')).toContain('noindex');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const location = new URL(res.headers.get('location') as string);
    expect(location.origin).toBe('https://landing.shop.example');
    expect(location.pathname).toBe('/summer');
    expect(location.searchParams.get('utm_source')).toBe('aff-7');
    expect(location.searchParams.get('utm_medium')).toBe('affiliate');
    expect(location.searchParams.get('sub')).toBe('42');
    expect(location.searchParams.get('host')).toBe('evil.example');
    expect(location.searchParams.getAll('shop_click')).toHaveLength(1);
    const clickId = location.searchParams.get('shop_click');
    expect(clickId).toMatch(/^[0-9a-f-]{36}$/);
    expect(clickId).not.toBe('forged');

    const [click, ...more] = await clicksOf(link.id);
    expect(more).toEqual([]);
    expect(click?.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'shop.link.clicked',
      ce_source: '/shop/redirect',
      ce_partitionkey: clickId,
      'content-type': 'application/json',
    });
    expect(click?.data).toMatchObject({
      clickId,
      linkId: link.id,
      code: link.code,
      affiliateId: 'aff-7',
      campaign: 'summer',
      destinationHost: 'landing.shop.example',
      country: 'DE',
      device: 'desktop',
      os: 'windows',
      browser: 'Chrome',
      bot: false,
    });
    expect(click?.data.visitorHash).toMatch(/^[0-9a-f]{32}$/);
    // What the pipeline writes is what the catalog's schema accepts, unchanged.
    expect(parseEventData(eventCatalog, 'shop.link.clicked', click?.data)).toEqual(click?.data);
    expect(click?.headers.ce_dataschema).toBe(eventCatalog['shop.link.clicked'].dataschema);
    expect(JSON.stringify(click)).not.toContain('203.0.113.7');
  });

  it("carries the visitor request's trace context on the click, and no forged header", async () => {
    const link = await createLink({});
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await visit(bed.app, `/r/${link.code}`, { headers: { traceparent } });
    await visit(bed.app, `/r/${link.code}`, {
      ip: '198.51.100.77',
      headers: { traceparent: '00-not-a-trace-$(id)-01' },
    });
    const clicks = await clicksOf(link.id);
    expect(clicks.map((c) => c.headers.ce_traceparent)).toEqual([traceparent, undefined]);
  });

  it('keeps the referrer host only', async () => {
    const link = await createLink({});
    await visit(bed.app, `/r/${link.code}`, {
      headers: { referer: 'https://blog.example/post?email=a@b.example' },
    });
    const [click] = await clicksOf(link.id);
    expect(click?.data.referrerHost).toBe('blog.example');
  });

  it('answers HEAD like GET without a click', async () => {
    const link = await createLink({});
    const res = await visit(bed.app, `/r/${link.code}`, { method: 'HEAD' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://landing.shop.example/summer');
    expect(await clicksOf(link.id)).toEqual([]);
  });

  const clickIdOf = (res: Response) =>
    new URL(res.headers.get('location') as string).searchParams.get('shop_click');
  /** The cookies a browser sends back after this answer. */
  const cookiesOf = (res: Response) =>
    ['__Host-shop_vid', '__Host-shop_rc']
      .map((name) => cookieOf(res, name))
      .filter(Boolean)
      .join('; ');

  it('reuses the click id of a repeat click within the hour and counts it once', async () => {
    const link = await createLink({});
    const first = await visit(bed.app, `/r/${link.code}`);
    const cookie = cookiesOf(first);
    expect(first.headers.getSetCookie()[0]).toMatch(/Secure; SameSite=Lax|HttpOnly/);
    expect(cookieOf(first, '__Host-shop_rc')).toBeDefined();
    const clickId = clickIdOf(first);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await visit(bed.app, `/r/${link.code}`, { headers: { cookie } });
    expect(clickIdOf(again)).toBe(clickId);
    // Same IP and user agent without the cookies: the same visitor too.
    const cookieless = await visit(bed.app, `/r/${link.code}`);
    expect(clickIdOf(cookieless)).toBe(clickId);
    const other = await visit(bed.app, `/r/${link.code}`, { ip: '198.51.100.9' });
    const otherId = clickIdOf(other);
    expect(otherId).not.toBe(clickId);
    const clicks = await clicksOf(link.id);
    expect(clicks.map((c) => c.data.clickId)).toEqual([clickId, otherId]);
    expect(clicks[1]?.data.country).toBe('FR');
    const stats = await sendAsStaff(bed.app, 'GET', `/api/admin/links/${link.id}/stats`);
    expect(((await stats.json()) as { totals: unknown }).totals).toEqual({
      clicks: 2,
      botClicks: 0,
    });
  });

  it('keeps a browser’s repeat for the hour from its first click, then counts a new click', async () => {
    let now = new Date('2026-12-02T10:59:00Z');
    const timed = await createTestbed({ clock: () => now });
    try {
      const res = await sendAsStaff(timed.app, 'POST', '/api/admin/links', {
        code: uniqueCode('timed'),
        destinationUrl: 'https://landing.shop.example/summer',
      });
      const link = (await res.json()) as { id: string; code: string };
      const first = await visit(timed.app, `/r/${link.code}`);
      const cookie = cookiesOf(first);
      // Past the clock hour, within the hour of the first click: the cookie names the click.
      now = new Date('2026-12-02T11:40:00Z');
      const repeat = await visit(timed.app, `/r/${link.code}`, { headers: { cookie } });
      expect(clickIdOf(repeat)).toBe(clickIdOf(first));
      // An hour after the first click: a new click, counted.
      now = new Date('2026-12-02T12:00:00Z');
      const later = await visit(timed.app, `/r/${link.code}`, { headers: { cookie } });
      expect(clickIdOf(later)).not.toBe(clickIdOf(first));
      await vi.waitFor(async () => {
        const clicks = (await timed.recordedClicks()).filter((r) => r.data.linkId === link.id);
        expect(clicks.map((c) => c.data.clickId)).toEqual([clickIdOf(first), clickIdOf(later)]);
      });
    } finally {
      await timed.cleanup();
    }
  });

  it('ignores a forged recent-clicks cookie: the click keeps its own id and is counted', async () => {
    const victim = await createLink({});
    const target = await createLink({});
    const theirs = await visit(bed.app, `/r/${victim.code}`, { ip: '203.0.113.77' });
    // An attacker re-signs the cookie with a key of their own, naming the victim's click for
    // the link they follow (their purchase would be credited to someone else's click).
    const [body] = (cookieOf(theirs, '__Host-shop_rc') as string).split('=')[1]!.split('.');
    const claimed = JSON.parse(Buffer.from(body as string, 'base64url').toString()) as {
      c: string;
    };
    const tag = target.id.replaceAll('-', '').slice(-12);
    const forgedBody = Buffer.from(
      JSON.stringify({ c: claimed.c.replace(/^[0-9a-f]{12}/, tag), exp: 4_102_444_800 }),
    ).toString('base64url');
    const forged = await visit(bed.app, `/r/${target.code}`, {
      ip: '203.0.113.78',
      headers: { cookie: `__Host-shop_rc=${forgedBody}.${'A'.repeat(43)}` },
    });
    expect(forged.status).toBe(302);
    expect(clickIdOf(forged)).not.toBe(clickIdOf(theirs));
    await vi.waitFor(async () =>
      expect((await clicksOf(target.id)).map((c) => c.data.clickId)).toEqual([clickIdOf(forged)]),
    );
  });

  it.each([
    ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
    ['a link preview', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)'],
    ['a mail scanner', 'Mozilla/5.0 (Windows NT 10.0) Mimecast-URL-Protect'],
  ])('flags %s as a bot and still redirects', async (_name, userAgent) => {
    const link = await createLink({});
    const res = await visit(bed.app, `/r/${link.code}`, { userAgent });
    expect(res.status).toBe(302);
    const [click] = await clicksOf(link.id);
    expect(click?.data).toMatchObject({ bot: true, device: 'bot' });
  });

  it('matches codes without case unless the link is case-sensitive', async () => {
    const loose = await createLink({ code: uniqueCode('Loose') });
    expect((await visit(bed.app, `/r/${loose.code.toUpperCase()}`)).status).toBe(302);
    const strict = await createLink({ code: uniqueCode('Strict'), caseSensitive: true });
    expect((await visit(bed.app, `/r/${strict.code}`)).status).toBe(302);
    expect((await visit(bed.app, `/r/${strict.code.toLowerCase()}`)).status).toBe(404);
  });

  it('finds a unicode code however it is encoded', async () => {
    const link = await createLink({ code: `café-${crypto.randomUUID().slice(0, 6)}` });
    const decomposed = link.code.normalize('NFD');
    expect((await visit(bed.app, `/r/${encodeURIComponent(decomposed)}`)).status).toBe(302);
  });

  it('answers unknown, disabled and expired codes with its own pages', async () => {
    const unknown = await visit(bed.app, `/r/${uniqueCode('nobody')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('text/html');
    expect(unknown.headers.get('x-robots-tag')).toContain('noindex');
    expect(await unknown.text()).toContain('Link not found');
    expect((await visit(bed.app, '/r/..%2F..%2Fetc')).status).toBe(404);

    const disabled = await createLink({});
    await sendAsStaff(bed.app, 'POST', `/api/admin/links/${disabled.id}/disable`);
    const gone = await visit(bed.app, `/r/${disabled.code}`);
    expect(gone.status).toBe(410);

    const expired = await createLink({ expiresAt: '2020-01-01T00:00:00Z' });
    const ended = await visit(bed.app, `/r/${expired.code}`);
    expect(ended.status).toBe(410);
    expect(await ended.text()).toContain('expired');

    const fallback = await createLink({
      expiresAt: '2020-01-01T00:00:00Z',
      expiredUrl: 'https://shop.example/offers',
    });
    const moved = await visit(bed.app, `/r/${fallback.code}`);
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe('https://shop.example/offers');
    expect(await clicksOf(disabled.id)).toEqual([]);
    expect(await clicksOf(fallback.id)).toEqual([]);
    expect(await bed.metric('expired')).toBeGreaterThanOrEqual(2);
    expect(await bed.metric('disabled')).toBeGreaterThanOrEqual(1);
  });

  it('answers 301 only where the link asks for it', async () => {
    const link = await createLink({ redirectStatus: 301 });
    expect((await visit(bed.app, `/r/${link.code}`)).status).toBe(301);
  });

  it('sends visitors by country, device and language rules, else to a sticky A/B arm', async () => {
    const link = await createLink({
      destinationUrl: 'https://shop.example/default',
      rules: [
        { countries: ['FR'], destinationUrl: 'https://shop.example/fr' },
        { devices: ['mobile'], os: ['ios'], destinationUrl: 'https://shop.example/ios' },
        { languages: ['de'], destinationUrl: 'https://shop.example/de' },
      ],
      variants: [
        { destinationUrl: 'https://shop.example/a', weight: 1 },
        { destinationUrl: 'https://shop.example/b', weight: 1 },
      ],
    });
    const path = (res: Response) => new URL(res.headers.get('location') as string).pathname;
    expect(path(await visit(bed.app, `/r/${link.code}`, { ip: '198.51.100.1' }))).toBe('/fr');
    const iphone =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
    expect(path(await visit(bed.app, `/r/${link.code}`, { userAgent: iphone }))).toBe('/ios');
    expect(
      path(
        await visit(bed.app, `/r/${link.code}`, {
          headers: { 'accept-language': 'de-DE,de;q=0.9' },
        }),
      ),
    ).toBe('/de');
    // A first visit's arm is kept by the visitor cookie it gets.
    const first = await visit(bed.app, `/r/${link.code}`, { ip: '192.0.2.1' });
    const cookie = cookieOf(first, '__Host-shop_vid') as string;
    for (let i = 0; i < 3; i++) {
      const later = await visit(bed.app, `/r/${link.code}`, {
        ip: `192.0.2.${10 + i}`,
        headers: { cookie },
      });
      expect(path(later)).toBe(path(first));
    }
    const arms = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const cookie = `__Host-shop_vid=${crypto.randomUUID()}`;
      const first = path(await visit(bed.app, `/r/${link.code}`, { headers: { cookie } }));
      const second = path(await visit(bed.app, `/r/${link.code}`, { headers: { cookie } }));
      expect(second).toBe(first);
      arms.add(first);
    }
    expect([...arms].sort()).toEqual(['/a', '/b']);
  });

  it('asks for the password of a protected link and unlocks it with a signed cookie', async () => {
    const link = await createLink({ password: 'open sesame 42' });
    const locked = await visit(bed.app, `/r/${link.code}`);
    expect(locked.status).toBe(200);
    expect(await locked.text()).toContain('type="password"');
    const form = (password: string, headers: Record<string, string> = {}) =>
      bed.app.request(`/r/${link.code}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': '203.0.113.50',
          ...headers,
        },
        body: new URLSearchParams({ password }).toString(),
      });
    expect((await form('wrong password')).status).toBe(401);
    expect((await form('open sesame 42', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const unlocked = await form('open sesame 42', { 'sec-fetch-site': 'same-origin' });
    expect(unlocked.status).toBe(303);
    expect(unlocked.headers.get('location')).toBe(`/r/${link.code}`);
    const cookie = unlocked.headers.getSetCookie().find((c) => c.startsWith('__Host-shop_unlock_'));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).not.toContain('sesame');
    const through = await visit(bed.app, `/r/${link.code}`, {
      headers: { cookie: (cookie as string).split(';')[0] as string },
    });
    expect(through.status).toBe(302);
    expect(await clicksOf(link.id)).toHaveLength(1);
    // A forged cookie opens nothing.
    const forged = await visit(bed.app, `/r/${link.code}`, {
      headers: { cookie: `${(cookie as string).split('=')[0]}=eyJsIjoiYSJ9.AAAA` },
    });
    expect(forged.status).toBe(200);
  });

  it('follows an edit at once on the instance that made it', async () => {
    const link = await createLink({ destinationUrl: 'https://shop.example/before' });
    expect(
      (await visit(bed.app, `/r/${link.code}`, { method: 'HEAD' })).headers.get('location'),
    ).toBe('https://shop.example/before');
    await sendAsStaff(bed.app, 'PATCH', `/api/admin/links/${link.id}`, {
      destinationUrl: 'https://shop.example/after',
    });
    expect(
      (await visit(bed.app, `/r/${link.code}`, { method: 'HEAD' })).headers.get('location'),
    ).toBe('https://shop.example/after');
    // A code tried before it existed is not remembered as missing.
    const code = uniqueCode('later');
    expect((await visit(bed.app, `/r/${code}`)).status).toBe(404);
    await createLink({ code });
    expect((await visit(bed.app, `/r/${code}`)).status).toBe(302);
  });

  it('counts every answer in /metrics', async () => {
    const metrics = await (await bed.app.request('/metrics')).text();
    expect(metrics).toMatch(/shop_redirects_total\{[^}]*outcome="redirected"[^}]*\} \d+/);
    expect(metrics).toMatch(/shop_redirects_total\{[^}]*outcome="not_found"[^}]*\} \d+/);
  });
});

describe('the hot path when Redis or Kafka fail', () => {
  it('answers from PostgreSQL within the timeout while Redis hangs', async () => {
    const link = await createLink({});
    const hanging: KeyValue = {
      ...createMemoryKeyValue(),
      get: () => new Promise<string | null>(() => {}),
      set: () => new Promise<boolean>(() => {}),
    };
    const cache = createLinkCache({
      db: bed.db,
      kv: hanging,
      log: silentLogger(),
      redisTimeoutMs: 20,
    });
    const started = performance.now();
    expect((await cache.find(link.code))?.id).toBe(link.id);
    expect(performance.now() - started).toBeLessThan(1_000);
    // Without a generation to read, an entry is trusted for ttlMs only: a change still shows.
    const short = createLinkCache({ db: bed.db, kv: hanging, log: silentLogger(), ttlMs: 200 });
    expect((await short.find(link.code))?.destinationUrl).toBe(
      'https://landing.shop.example/summer',
    );
    await bed.db.query('UPDATE redirect.link SET destination_url = $2 WHERE id = $1', [
      link.id,
      'https://shop.example/changed',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await short.find(link.code))?.destinationUrl).toBe('https://shop.example/changed');
    short.close();
    // Skipped after a failure: the next miss does not wait for it again.
    const next = performance.now();
    cache.evict([link.code]);
    expect((await cache.find(link.code))?.id).toBe(link.id);
    expect(performance.now() - next).toBeLessThan(15);
  });

  it('shows a change made on another instance within a second, through the generation in Redis', async () => {
    const link = await createLink({ destinationUrl: 'https://shop.example/v1' });
    const otherInstance = createLinkCache({
      db: bed.db,
      kv: bed.kv,
      log: silentLogger(),
      ttlMs: 60_000,
    });
    expect((await otherInstance.find(link.code))?.destinationUrl).toBe('https://shop.example/v1');
    await sendAsStaff(bed.app, 'PATCH', `/api/admin/links/${link.id}`, {
      destinationUrl: 'https://shop.example/v2',
    });
    // The writer bumped the generation in Redis: the other instance empties its LRU at its
    // next read of it (every 250 ms), with no event needed.
    const started = Date.now();
    let seen = (await otherInstance.find(link.code))?.destinationUrl;
    while (seen !== 'https://shop.example/v2' && Date.now() - started < 2_000) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      seen = (await otherInstance.find(link.code))?.destinationUrl;
    }
    expect(seen).toBe('https://shop.example/v2');
    expect(Date.now() - started).toBeLessThan(1_000);
    otherInstance.close();
  });

  it('drops a link changed elsewhere from the LRU and Redis when shop.link.changed is delivered', async () => {
    const link = await createLink({ destinationUrl: 'https://shop.example/old' });
    const head = async () =>
      (await visit(bed.app, `/r/${link.code}`, { method: 'HEAD' })).headers.get('location');
    expect(await head()).toBe('https://shop.example/old');
    // Another instance changed it: this one's LRU and Redis still hold the old destination.
    await bed.db.query(`UPDATE redirect.link SET destination_url = $2 WHERE id = $1`, [
      link.id,
      'https://shop.example/new',
    ]);
    expect(await head()).toBe('https://shop.example/old');
    const now = new Date().toISOString();
    const res = await bed.app.request('/events', {
      method: 'POST',
      headers: {
        ...testEventHeaders(functionAudience('redirect')),
        'ce-specversion': '1.0',
        'ce-id': crypto.randomUUID(),
        'ce-source': '/shop/redirect',
        'ce-type': 'shop.link.changed',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        linkId: link.id,
        change: 'updated',
        codes: [link.code],
        changedFields: ['destinationUrl'],
        link: {
          code: link.code,
          caseSensitive: false,
          destinationUrl: 'https://shop.example/new',
          affiliateId: null,
          campaign: null,
          status: 'active',
          redirectStatus: 302,
          expiresAt: null,
          hasPassword: false,
          ruleCount: 0,
          variantCount: 0,
        },
        changedBy: 'staff-test',
        changedAt: now,
      }),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    expect(await head()).toBe('https://shop.example/new');
  });

  it('keeps redirecting while Kafka refuses, and counts the clicks it drops', async () => {
    const broken: KafkaClient = createMemoryKafka();
    const failing: KafkaClient = {
      ...broken,
      kind: 'memory',
      producer: () => ({
        send: () => Promise.reject(new Error('Kafka is down')),
        close: async () => {},
      }),
      admin: () => broken.admin(),
    };
    const down = await createTestbed({ kafka: failing, maxBuffered: 3 });
    try {
      const created = await sendAsStaff(down.app, 'POST', '/api/admin/links', {
        code: uniqueCode('down'),
        destinationUrl: 'https://shop.example/',
      });
      const link = (await created.json()) as { code: string };
      for (let i = 0; i < 6; i++) {
        const res = await visit(down.app, `/r/${link.code}`, { ip: `203.0.113.${100 + i}` });
        expect(res.status).toBe(302);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(down.clicks.pending).toBeLessThanOrEqual(3);
      expect(await down.metric('click_dropped')).toBeGreaterThanOrEqual(3);
      const metrics = await (await down.app.request('/metrics')).text();
      expect(metrics).toMatch(/shop_redirects_total\{[^}]*outcome="click_dropped"[^}]*\} [3-6]/);
    } finally {
      await down.cleanup();
      await broken.close();
    }
  });
});
