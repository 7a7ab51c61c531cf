import { describe, expect, it } from 'vitest';
import type { BrokerEvent } from './cloudevent.js';
import {
  DEFAULT_BACKOFF_DELAY_MS,
  deadLetterEvent,
  type EgressConfig,
  egressConfigFromDelivery,
  isRetryableStatus,
  mergeEgressConfig,
  retryDelayMs,
} from './delivery.js';

const resolve = (d: { uri?: string }) => d.uri ?? 'http://resolved';

describe('egressConfigFromDelivery (control-plane EgressConfigFromDelivery)', () => {
  it('gives nothing when neither retry, timeout nor dead-letter sink is set', () => {
    expect(egressConfigFromDelivery(undefined, resolve)).toBeUndefined();
    expect(egressConfigFromDelivery({ backoffDelay: 'PT1S' }, resolve)).toBeUndefined();
  });

  it('defaults the delay to 1 s and the policy to exponential when retry is set', () => {
    expect(egressConfigFromDelivery({ retry: 3 }, resolve)).toEqual({
      deadLetter: '',
      retry: 3,
      backoffPolicy: 'exponential',
      backoffDelayMs: DEFAULT_BACKOFF_DELAY_MS,
      timeoutMs: 0,
    });
    expect(DEFAULT_BACKOFF_DELAY_MS).toBe(1000);
  });

  it('ignores backoff settings without retry and reads timeout and dead-letter sink', () => {
    expect(
      egressConfigFromDelivery(
        {
          backoffDelay: 'PT5S',
          backoffPolicy: 'linear',
          timeout: 'PT2S',
          deadLetterSink: { uri: 'http://dls' },
        },
        resolve,
      ),
    ).toEqual({
      deadLetter: 'http://dls',
      retry: 0,
      backoffPolicy: 'exponential',
      backoffDelayMs: 0,
      timeoutMs: 2000,
    });
  });
});

describe('mergeEgressConfig (control-plane MergeEgressConfig)', () => {
  const broker: EgressConfig = {
    deadLetter: 'http://broker-dls',
    retry: 5,
    backoffPolicy: 'linear',
    backoffDelayMs: 300,
    timeoutMs: 4000,
  };

  it('takes the Trigger value field by field where it is set', () => {
    const trigger = egressConfigFromDelivery({ timeout: 'PT1S' }, resolve);
    expect(mergeEgressConfig(trigger, broker)).toEqual({
      deadLetter: 'http://broker-dls',
      retry: 5,
      // The Trigger has a config, so its (default) policy wins, as in Knative.
      backoffPolicy: 'exponential',
      backoffDelayMs: 300,
      timeoutMs: 1000,
    });
  });

  it('uses the Broker config when the Trigger has none, and nothing when neither has', () => {
    expect(mergeEgressConfig(undefined, broker)).toBe(broker);
    expect(mergeEgressConfig(undefined, undefined).retry).toBe(0);
  });
});

describe('retryDelayMs (WebClientCloudEventSender.computeRetryPolicy)', () => {
  const config = (policy: 'linear' | 'exponential', delay: number): EgressConfig => ({
    deadLetter: '',
    retry: 5,
    backoffPolicy: policy,
    backoffDelayMs: delay,
    timeoutMs: 0,
  });

  it('is delay·n for linear and delay·2ⁿ for exponential, n counting retries from 1', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(config('linear', 50), n))).toEqual([
      50, 100, 150, 200,
    ]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(config('exponential', 50), n))).toEqual([
      100, 200, 400, 800,
    ]);
    expect(retryDelayMs(config('exponential', 0), 3)).toBe(0);
  });
});

describe('isRetryableStatus', () => {
  it.each([
    [500, true],
    [503, true],
    [404, true],
    [408, true],
    [409, true],
    [429, true],
    [400, false],
    [401, false],
    [403, false],
    [410, false],
    [422, false],
    [302, false],
  ])('%i → %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});

describe('deadLetterEvent (RecordDispatcherImpl.errorTransform)', () => {
  const event: BrokerEvent = {
    attributes: { specversion: '1.0', id: 'e1', source: '/s', type: 't', partitionkey: 'k' },
    data: Buffer.from('{}'),
  };

  it('adds the destination, the status, kne- headers and at most 1024 bytes of body', () => {
    const body = Buffer.alloc(3000, 'x');
    const headers = new Headers({
      'kne-reason': 'out-of-stock',
      'kne-Bad_Name': 'skipped',
      other: 'no',
    });
    const dead = deadLetterEvent(event, 'http://sub/path', { status: 422, headers, body });
    expect(dead.attributes).toMatchObject({
      ...event.attributes,
      knativeerrordest: 'http://sub/path',
      knativeerrorcode: '422',
      reason: 'out-of-stock',
    });
    expect(Buffer.from(dead.attributes.knativeerrordata!, 'base64')).toEqual(
      body.subarray(0, 1024),
    );
    expect(dead.attributes).not.toHaveProperty('bad_name');
    expect(dead.data).toBe(event.data);
  });

  it('names only the destination when there was no answer, or no body', () => {
    expect(deadLetterEvent(event, 'http://sub', undefined).attributes).toEqual({
      ...event.attributes,
      knativeerrordest: 'http://sub',
    });
    const empty = deadLetterEvent(event, 'http://sub', {
      status: 500,
      headers: new Headers(),
      body: Buffer.alloc(0),
    });
    expect(empty.attributes).not.toHaveProperty('knativeerrordata');
    expect(empty.attributes.knativeerrorcode).toBe('500');
  });
});
