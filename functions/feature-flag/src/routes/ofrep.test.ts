import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature } from '@openfeature/server-sdk';
import { silentLogger } from '@shop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExperimentRecorder } from '../experiment-recorder.js';
import { createRequestBudget } from '../request-budget.js';
import { OFREP_FLAGS } from '../testing/ofrep-flags.js';
import { createTestbed, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
  await bed.load(OFREP_FLAGS);
});
afterAll(async () => {
  await OpenFeature.close();
  await bed.cleanup();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  bed.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** The stock server provider, its requests answered by the app (no socket). */
async function stockClient(domain: string) {
  const provider = new OFREPProvider({
    baseUrl: 'http://feature-flag.test',
    fetchImplementation: (input: string | URL | Request, init?: RequestInit) =>
      Promise.resolve(bed.app.request(input as string, init)),
  });
  await OpenFeature.setProviderAndWait(domain, provider);
  return OpenFeature.getClient(domain);
}

describe('OFREP with the stock @openfeature/ofrep-provider', () => {
  it('gets values, variants, reasons and metadata for every flag type', async () => {
    const client = await stockClient('every-type');
    expect(
      await client.getBooleanDetails('bool-flag', false, {
        targetingKey: 'u1',
        email: 'ann@shop.test',
      }),
    ).toMatchObject({
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
      flagMetadata: { owner: 'storefront', flagSetId: 'shop-test' },
    });
    expect(
      await client.getBooleanDetails('bool-flag', true, {
        targetingKey: 'u1',
        email: 'ann@example.com',
      }),
    ).toMatchObject({
      value: false,
      variant: 'off',
      reason: 'DEFAULT',
    });
    const headline = await client.getStringDetails('string-flag', 'x', {
      targetingKey: 'visitor-42',
    });
    expect(['Summer starts here', 'Your summer, delivered']).toContain(headline.value);
    expect(headline.reason).toBe('TARGETING_MATCH');
    expect(await client.getNumberDetails('number-flag', 1, {})).toMatchObject({
      value: 0.1,
      variant: 'ten',
      reason: 'STATIC',
    });
    expect(
      await client.getObjectDetails('object-flag', {}, { targetingKey: 'u', appVersion: 'v2.1' }),
    ).toMatchObject({
      value: { rows: 6, theme: 'dark' },
      variant: 'large',
      reason: 'TARGETING_MATCH',
    });
  });

  it('answers errors as OFREP error codes the provider turns into the code default', async () => {
    const client = await stockClient('errors');
    expect(await client.getBooleanDetails('missing-flag', true, {})).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
    expect(await client.getStringDetails('bool-flag', 'code default', {})).toMatchObject({
      value: 'code default',
      errorCode: 'TYPE_MISMATCH',
    });
    expect(await client.getBooleanDetails('broken-variant-flag', true, {})).toMatchObject({
      value: true,
      errorCode: 'GENERAL',
    });
    expect(
      await client.getBooleanDetails('bool-flag', true, { targetingKey: 7 as unknown as string }),
    ).toMatchObject({ value: true, errorCode: 'INVALID_CONTEXT' });
  });

  it('keeps the code default for disabled flags and flags without a default variant', async () => {
    // The server answers DISABLED / DEFAULT without a value (flagd's "use the code default");
    // the stock server provider 0.1.3 compares the missing value's type with the default's and
    // reports TYPE_MISMATCH, still returning the code default the caller passed.
    const client = await stockClient('no-value');
    for (const key of ['disabled-flag', 'no-default-flag']) {
      const details = await client.getBooleanDetails(key, true, { targetingKey: 'u1' });
      expect(details.value).toBe(true);
    }
    expect(
      await client.getBooleanDetails('no-default-flag', false, { tier: 'gold' }),
    ).toMatchObject({
      value: true,
      variant: 'on',
    });
  });
});

describe('OFREP over HTTP', () => {
  it('answers a disabled flag and one without a default variant with a reason and no value', async () => {
    expect(await (await post('/ofrep/v1/evaluate/flags/disabled-flag', {})).json()).toEqual({
      key: 'disabled-flag',
      reason: 'DISABLED',
      metadata: { flagSetId: 'shop-test' },
    });
    const none = await post('/ofrep/v1/evaluate/flags/no-default-flag', {
      context: { tier: 'silver' },
    });
    expect(none.status).toBe(200);
    expect(await none.json()).toEqual({
      key: 'no-default-flag',
      reason: 'DEFAULT',
      metadata: { flagSetId: 'shop-test' },
    });
  });

  it('answers 404 FLAG_NOT_FOUND, and 400 for bodies and contexts it cannot read', async () => {
    const missing = await post('/ofrep/v1/evaluate/flags/nope', {});
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ key: 'nope', errorCode: 'FLAG_NOT_FOUND' });
    const cases: [string, string][] = [
      ['{"context": ', 'PARSE_ERROR'],
      ['[]', 'INVALID_CONTEXT'],
      ['{"context": "u1"}', 'INVALID_CONTEXT'],
      ['{"context": {"targetingKey": {"id": 1}}}', 'INVALID_CONTEXT'],
    ];
    for (const [body, errorCode] of cases) {
      const single = await post('/ofrep/v1/evaluate/flags/bool-flag', body);
      expect(single.status).toBe(400);
      expect(await single.json()).toMatchObject({
        key: 'bool-flag',
        errorCode,
        errorDetails: expect.any(String),
      });
      const bulk = await post('/ofrep/v1/evaluate/flags', body);
      expect(bulk.status).toBe(400);
      expect(await bulk.json()).toMatchObject({ errorCode });
    }
    let deep: unknown = 1;
    for (let i = 0; i < 40; i += 1) deep = { a: deep };
    expect((await post('/ofrep/v1/evaluate/flags/bool-flag', { context: { deep } })).status).toBe(
      400,
    );
  });

  it('refuses a __proto__ key in the context and ignores a forged $flagd', async () => {
    const polluted = await post(
      '/ofrep/v1/evaluate/flags/no-default-flag',
      '{"context": {"__proto__": {"tier": "gold"}}}',
    );
    expect(polluted.status).toBe(400);
    expect(await polluted.json()).toMatchObject({ errorCode: 'INVALID_CONTEXT' });
    expect(({} as { tier?: string }).tier).toBeUndefined();
    const forged = await post('/ofrep/v1/evaluate/flags/string-flag', {
      context: { targetingKey: 'visitor-42', $flagd: { flagKey: 'other-flag' } },
    });
    const honest = await post('/ofrep/v1/evaluate/flags/string-flag', {
      context: { targetingKey: 'visitor-42' },
    });
    expect(await forged.json()).toEqual(await honest.json());
  });

  it('answers 401 to a forged access token', async () => {
    const res = await post(
      '/ofrep/v1/evaluate/flags/bool-flag',
      {},
      { authorization: 'Bearer forged.token.value' },
    );
    expect(res.status).toBe(401);
  });

  it('gives every flag in bulk with an ETag, 304 for If-None-Match, a new ETag after a change', async () => {
    const context = { context: { targetingKey: 'u9', email: 'ann@shop.test' } };
    const first = await post('/ofrep/v1/evaluate/flags', context);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const body = (await first.json()) as {
      flags: { key: string }[];
      metadata: unknown;
      eventStreams: unknown[];
    };
    expect(body.flags.map((flag) => flag.key)).toEqual(Object.keys(OFREP_FLAGS.flags).sort());
    expect(body.flags).toContainEqual({
      key: 'disabled-flag',
      reason: 'DISABLED',
      metadata: { flagSetId: 'shop-test' },
    });
    expect(body.flags).toContainEqual(
      expect.objectContaining({ key: 'broken-variant-flag', errorCode: 'GENERAL' }),
    );
    expect(body.metadata).toEqual({ flagSetId: 'shop-test' });
    expect(body.eventStreams).toEqual([
      {
        type: 'sse',
        endpoint: { requestUri: expect.stringMatching(/^\/ofrep\/v1\/events\?since=\d+$/) },
        inactivityDelaySec: 120,
      },
    ]);

    const again = await post('/ofrep/v1/evaluate/flags', context, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    const otherContext = await post(
      '/ofrep/v1/evaluate/flags',
      { context: { targetingKey: 'u9' } },
      { 'if-none-match': etag },
    );
    expect(otherContext.status).toBe(200);

    await bed.load({
      ...OFREP_FLAGS,
      flags: {
        ...OFREP_FLAGS.flags,
        'number-flag': { ...OFREP_FLAGS.flags['number-flag'], defaultVariant: 'off' } as never,
      },
    });
    const changed = await post('/ofrep/v1/evaluate/flags', context, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    await bed.load(OFREP_FLAGS);
  });

  it('announces on its change stream a change made before the stream opened', async () => {
    const bulk = async () =>
      (await (await post('/ofrep/v1/evaluate/flags', { context: {} })).json()) as {
        eventStreams: { endpoint: { requestUri: string } }[];
      };
    /** The stream's first data message within `ms`, or null (comments such as keep-alives are
     * skipped, as an EventSource skips them). */
    const firstMessage = async (uri: string, ms: number) => {
      const res = await bed.app.request(uri);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const timer = setTimeout(() => void reader.cancel(), ms);
      let text = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return null;
          text += new TextDecoder().decode(value);
          const data = text.split('\n').find((line) => line.startsWith('data: '));
          if (data) return data;
        }
      } catch {
        return null;
      } finally {
        clearTimeout(timer);
        await reader.cancel();
      }
    };
    const seen = (await bulk()).eventStreams[0]?.endpoint.requestUri ?? '';
    // Nothing changed since that answer: the stream stays quiet.
    expect(await firstMessage(seen, 300)).toBeNull();
    // Staff change a flag between the page's answer and its stream opening.
    await bed.load({
      ...OFREP_FLAGS,
      flags: {
        ...OFREP_FLAGS.flags,
        'number-flag': { ...OFREP_FLAGS.flags['number-flag'], defaultVariant: 'off' } as never,
      },
    });
    try {
      const message = await firstMessage(seen, 5_000);
      expect(message).toMatch(/^data: \{"type":"refetchEvaluation","etag":"\\"r\d+\\""\}/);
      expect((await bulk()).eventStreams[0]?.endpoint.requestUri).not.toBe(seen);
    } finally {
      await bed.load(OFREP_FLAGS);
    }
  });

  it('answers 429 with Retry-After past the instance budget, and the provider pauses', async () => {
    const limited = await createTestbed({
      db: bed.db,
      kv: bed.kv,
      budget: createRequestBudget(2, () => 0),
    });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 3; i += 1) {
        const res = await limited.app.request('/ofrep/v1/evaluate/flags/bool-flag', {
          method: 'POST',
          body: '{}',
        });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      const provider = new OFREPProvider({
        baseUrl: 'http://feature-flag.test',
        fetchImplementation: (input: string | URL | Request, init?: RequestInit) =>
          Promise.resolve(limited.app.request(input as string, init)),
      });
      await OpenFeature.setProviderAndWait('limited', provider);
      const client = OpenFeature.getClient('limited');
      expect(await client.getBooleanDetails('bool-flag', true, {})).toMatchObject({
        value: true,
        errorCode: 'GENERAL',
      });
    } finally {
      await limited.cleanup();
    }
  });
});

describe('experiments', () => {
  it('records the variant a visitor got of an experiment flag, single and bulk', async () => {
    const batches: {
      anonymousId: string;
      properties: { experiment_id: string; variant_id: string };
    }[][] = [];
    const experiments = createExperimentRecorder({
      ingestUrl: 'http://analytics-ingest.test',
      sampleRate: 1,
      environment: 'dev',
      log: silentLogger(),
      fetch: async (_input, init) => {
        batches.push(JSON.parse(String(init?.body)).batch);
        return new Response(null, { status: 200 });
      },
    });
    const recorded = await createTestbed({ db: bed.db, kv: bed.kv, experiments });
    try {
      const single = (await (
        await recorded.app.request('/ofrep/v1/evaluate/flags/string-flag', {
          method: 'POST',
          body: JSON.stringify({ context: { targetingKey: 'visitor-42' } }),
        })
      ).json()) as { variant: string };
      await recorded.app.request('/ofrep/v1/evaluate/flags', {
        method: 'POST',
        body: JSON.stringify({ context: { targetingKey: 'visitor-42' } }),
      });
      await experiments.flush();
      const calls = batches.flat();
      expect(
        calls.map((call) => [
          call.anonymousId,
          call.properties.experiment_id,
          call.properties.variant_id,
        ]),
      ).toEqual([
        ['visitor-42', 'string-flag', single.variant],
        ['visitor-42', 'string-flag', single.variant],
      ]);
    } finally {
      await recorded.cleanup();
    }
  });
});

describe('/readyz', () => {
  it('stays ready on the last known flags when the database fails, and says so', async () => {
    let down = false;
    const flaky = new Proxy(bed.db, {
      get(target, prop) {
        if (down && (prop === 'query' || prop === 'transaction')) {
          return () => Promise.reject(new Error('connection refused'));
        }
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const blip = await createTestbed({ db: flaky, kv: bed.kv });
    try {
      const ready = await blip.app.request('/readyz');
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: { flags: string } }).checks.flags).toMatch(
        /^ok \(revision \d+/,
      );
      down = true;
      await blip.flags.check();
      const stale = await blip.app.request('/readyz');
      expect(stale.status).toBe(200);
      expect(((await stale.json()) as { checks: { flags: string } }).checks.flags).toMatch(
        /^serving the last known flags \(revision \d+.*database unavailable: connection refused/,
      );
      const served = await blip.app.request('/ofrep/v1/evaluate/flags/number-flag', {
        method: 'POST',
        body: '{}',
      });
      expect(await served.json()).toMatchObject({ value: 0.1, reason: 'STATIC' });
      down = false;
      await blip.flags.check();
      expect(
        ((await (await blip.app.request('/readyz')).json()) as { checks: { flags: string } }).checks
          .flags,
      ).toMatch(/^ok/);
    } finally {
      down = false;
      await blip.cleanup();
    }
  });
});
