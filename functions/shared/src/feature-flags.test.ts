import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { createFlagClient } from './feature-flags.js';

afterAll(() => OpenFeature.close());

/** An OFREP server in a function: one flag, `new-checkout`, on for user u1. */
const ofrep: typeof fetch = async (input, init) => {
  const request = input instanceof Request ? input : new Request(input, init);
  const key = decodeURIComponent(new URL(request.url).pathname.split('/').at(-1) ?? '');
  const { context } = (await request.json()) as { context: { targetingKey?: string } };
  if (key !== 'new-checkout') {
    return Response.json(
      { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: 'no such flag' },
      { status: 404 },
    );
  }
  const on = context.targetingKey === 'u1';
  return Response.json({
    key,
    value: on,
    variant: on ? 'on' : 'off',
    reason: on ? 'TARGETING_MATCH' : 'DEFAULT',
    metadata: {},
  });
};

describe('createFlagClient', () => {
  it('evaluates over OFREP and falls back to the default on errors', async () => {
    const flags = await createFlagClient({
      baseUrl: 'http://feature-flag.test',
      domain: 'kit-test',
      fetch: ofrep,
    });
    expect(await flags.getBooleanValue('new-checkout', false, { targetingKey: 'u1' })).toBe(true);
    expect(
      await flags.getBooleanDetails('new-checkout', true, { targetingKey: 'u2' }),
    ).toMatchObject({ value: false, reason: 'DEFAULT' });
    expect(await flags.getBooleanDetails('missing', true)).toMatchObject({
      value: true,
      errorCode: 'FLAG_NOT_FOUND',
    });
  });

  it('answers the default when the flag service does not answer in time', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    const flags = await createFlagClient({
      baseUrl: 'http://feature-flag.test',
      domain: 'kit-slow',
      fetch: hanging,
      timeoutMs: 50,
    });
    const started = Date.now();
    expect(await flags.getBooleanDetails('new-checkout', true)).toMatchObject({
      value: true,
      reason: 'ERROR',
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
