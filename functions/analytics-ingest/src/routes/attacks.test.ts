// Requests an attacker or a broken client sends: each gets a clear 4xx problem and nothing of
// it reaches the topic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStaff, basic, createTestbed, post, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(async () => {
  await bed.cleanup();
});

const call = () => ({ event: 'Viewed', anonymousId: 'anon-1', messageId: crypto.randomUUID() });

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
}

describe('write keys', () => {
  it.each([
    ['no write key', {}],
    ['a forged key', basic('wk_forged_forged_forged_forged_forged')],
    ['garbage Basic credentials', { authorization: 'Basic %%%%' }],
  ])('refuses %s with 401', async (_, headers) => {
    const res = await post(bed.app, '/v1/track', call(), headers);
    await expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toContain('Basic');
  });

  it('refuses a key sent as a bearer token (not an access token either) with 401', async () => {
    await expectProblem(
      await post(bed.app, '/v1/track', call(), { authorization: 'Bearer wk_whatever' }),
      401,
    );
  });

  it('refuses a revoked key at once on this instance', async () => {
    const created = await post(
      bed.app,
      '/api/admin/analytics/sources',
      { name: 'to-revoke' },
      asStaff(),
    );
    const { id, writeKey } = (await created.json()) as { id: string; writeKey: string };
    expect((await post(bed.app, '/v1/track', call(), basic(writeKey))).status).toBe(200);
    await post(bed.app, `/api/admin/analytics/sources/${id}/revoke`, {}, asStaff());
    await expectProblem(await post(bed.app, '/v1/track', call(), basic(writeKey)), 401);
  });
});

describe('bodies', () => {
  it('refuses malformed JSON and non-object bodies with 400', async () => {
    await expectProblem(await post(bed.app, '/v1/track', '{"event":', basic(bed.writeKey)), 400);
    await expectProblem(await post(bed.app, '/v1/track', '[1,2]', basic(bed.writeKey)), 400);
    await expectProblem(await post(bed.app, '/v1/batch', '"x"', basic(bed.writeKey)), 400);
  });

  it('refuses JSON nested deeper than 64 levels before parsing it', async () => {
    const deep = `{"event":"x","anonymousId":"a","properties":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    await expectProblem(await post(bed.app, '/v1/batch', deep, basic(bed.writeKey)), 400);
    const nested = `{"batch":[],"context":${'{"a":'.repeat(70)}1${'}'.repeat(70)}}`;
    await expectProblem(await post(bed.app, '/v1/batch', nested, basic(bed.writeKey)), 400);
  });

  it('refuses a single call over 32 KB and a batch over 500 KB with 413', async () => {
    const big = { ...call(), properties: { x: 'x'.repeat(33 * 1024) } };
    await expectProblem(await post(bed.app, '/v1/track', big, basic(bed.writeKey)), 413);
    const batch = {
      batch: [{ type: 'track', ...call(), properties: { x: 'x'.repeat(501 * 1024) } }],
    };
    await expectProblem(await post(bed.app, '/v1/batch', batch, basic(bed.writeKey)), 413);
  });

  it('stops a chunked body without Content-Length at 500 KB', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 20) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await bed.app.request('/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...basic(bed.writeKey) },
      body,
      duplex: 'half',
    } as RequestInit);
    await expectProblem(res, 413);
    expect(sent).toBeLessThan(20);
  });

  it('refuses more than 2,500 calls in a batch with 400', async () => {
    const batch = Array.from({ length: 2_501 }, () => ({
      type: 'track',
      event: 'e',
      anonymousId: 'a',
    }));
    await expectProblem(await post(bed.app, '/v1/batch', { batch }, basic(bed.writeKey)), 400);
  });

  it('keeps __proto__ keys as data, never as a prototype', async () => {
    const res = await post(
      bed.app,
      '/v1/track',
      `{"event":"x","anonymousId":"a","context":{"__proto__":{"polluted":true}},"properties":{"__proto__":{"p":1}}}`,
      basic(bed.writeKey),
    );
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses compressed bodies it cannot read with 415', async () => {
    await expectProblem(
      await post(bed.app, '/v1/track', call(), {
        ...basic(bed.writeKey),
        'content-encoding': 'gzip',
      }),
      415,
    );
  });

  it('wrote nothing of all of the above to the topic', async () => {
    // Only the two valid calls: the revoked source's before it was revoked, and __proto__'s.
    const records = await bed.read(bed.topics.main, 2);
    expect(records.map((r) => r.data.event).sort()).toEqual(['Viewed', 'x']);
  });
});
