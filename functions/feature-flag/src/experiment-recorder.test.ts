import { silentLogger } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { createExperimentRecorder } from './experiment-recorder.js';

const exposure = (key: string, experiment: boolean) => ({
  key,
  value: 'B',
  variant: 'b',
  reason: 'TARGETING_MATCH',
  metadata: { experiment },
});

describe('createExperimentRecorder', () => {
  it('sends sampled exposures of experiment flags as Segment track calls in a batch', async () => {
    const sent: { url: string; body: { batch: Record<string, unknown>[] }; auth: string | null }[] =
      [];
    const draws = [0.05, 0.5, 0.01];
    const recorder = createExperimentRecorder({
      ingestUrl: 'http://analytics-ingest.test',
      writeKey: 'wk',
      sampleRate: 0.1,
      environment: 'prod',
      log: silentLogger(),
      random: () => draws.shift() ?? 1,
      clock: () => new Date('2026-12-01T10:00:00Z'),
      fetch: async (input, init) => {
        sent.push({
          url: String(input),
          body: JSON.parse(String(init?.body)),
          auth: new Headers(init?.headers).get('authorization'),
        });
        return new Response(null, { status: 200 });
      },
    });
    recorder.record(exposure('landing-headline', true), { targetingKey: 'v1' });
    recorder.record(exposure('landing-headline', true), { targetingKey: 'v2' });
    recorder.record(exposure('plain-toggle', false), { targetingKey: 'v3' });
    recorder.record(exposure('landing-headline', true), {});
    recorder.record({ key: 'x', errorCode: 'GENERAL', errorDetails: 'no' }, { targetingKey: 'v4' });
    recorder.record(exposure('landing-headline', true), { targetingKey: 'v5' });
    await recorder.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe('http://analytics-ingest.test/api/analytics/v1/batch');
    expect(sent[0]?.auth).toBe(`Basic ${Buffer.from('wk:').toString('base64')}`);
    expect(sent[0]?.body.batch.map((call) => call.anonymousId)).toEqual(['v1', 'v5']);
    expect(sent[0]?.body.batch[0]).toMatchObject({
      type: 'track',
      event: 'Experiment Viewed',
      timestamp: '2026-12-01T10:00:00.000Z',
      properties: { experiment_id: 'landing-headline', variant_id: 'b', environment: 'prod' },
    });
  });

  it('still sends after a flush that found nothing to send (the interval ticks before any exposure)', async () => {
    const sent: number[] = [];
    const recorder = createExperimentRecorder({
      ingestUrl: 'http://analytics-ingest.test',
      sampleRate: 1,
      environment: 'dev',
      log: silentLogger(),
      fetch: async (_input, init) => {
        sent.push(JSON.parse(String(init?.body)).batch.length);
        return new Response(null, { status: 200 });
      },
    });
    await recorder.flush();
    await recorder.flush();
    recorder.record(exposure('landing-headline', true), { targetingKey: 'v1' });
    await recorder.flush();
    recorder.record(exposure('landing-headline', true), { targetingKey: 'v2' });
    recorder.record(exposure('landing-headline', true), { targetingKey: 'v3' });
    await recorder.flush();
    expect(sent).toEqual([1, 2]);
  });

  it('counts what ingest refuses and records nothing without an ingest URL', async () => {
    const failing = createExperimentRecorder({
      ingestUrl: 'http://analytics-ingest.test',
      sampleRate: 1,
      environment: 'dev',
      log: silentLogger(),
      fetch: async () => new Response(null, { status: 503 }),
    });
    failing.record(exposure('landing-headline', true), { targetingKey: 'v1' });
    await failing.flush();
    expect(failing.dropped()).toBe(1);
    let called = false;
    const off = createExperimentRecorder({
      ingestUrl: undefined,
      sampleRate: 1,
      environment: 'dev',
      log: silentLogger(),
      fetch: async () => {
        called = true;
        return new Response(null);
      },
    });
    off.record(exposure('landing-headline', true), { targetingKey: 'v1' });
    await off.flush();
    expect(called).toBe(false);
  });
});
