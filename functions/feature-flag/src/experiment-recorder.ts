// Experiments (issue 13 point 6): an evaluation of a flag whose metadata says `experiment: true`
// is recorded, sampled, as a Segment "Experiment Viewed" track call with the variant, sent in
// batches to analytics ingest's Segment-compatible HTTP API after the answer, so reporting can
// show conversion per variant. A bounded buffer; what cannot be sent is dropped and counted.
import type { Logger } from '@shop/shared';
import type { Evaluation } from './domain/flag-snapshot.js';
import type { Environment } from './domain/flag-types.js';

export interface ExperimentRecorderOptions {
  /** analytics ingest's base URL; unset: nothing is recorded. */
  ingestUrl: string | undefined;
  /** Segment write key (HTTP Basic user), when ingest asks for one. */
  writeKey?: string | undefined;
  /** Share of experiment evaluations recorded, 0 to 1. */
  sampleRate: number;
  environment: Environment;
  log: Logger;
  fetch?: typeof fetch;
  random?: () => number;
  clock?: () => Date;
  intervalMs?: number;
  maxBuffered?: number;
  timeoutMs?: number;
}

/**
 * Records sampled experiment exposures and sends them in batches.
 * @example const experiments = createExperimentRecorder({ ingestUrl, sampleRate: 0.1, environment: 'prod', log }); experiments.record(evaluation, context);
 */
export interface ExperimentRecorder {
  record(evaluation: Evaluation, context: { targetingKey?: unknown }): void;
  /** Sends what is buffered now. */
  flush(): Promise<void>;
  /** Exposures dropped (buffer full or ingest refused) since start. */
  dropped(): number;
  start(): void;
  stop(): Promise<void>;
}

interface TrackCall {
  type: 'track';
  event: 'Experiment Viewed';
  anonymousId: string;
  messageId: string;
  timestamp: string;
  properties: { experiment_id: string; variant_id: string; environment: Environment };
}

export function createExperimentRecorder(options: ExperimentRecorderOptions): ExperimentRecorder {
  const { log } = options;
  const send = options.fetch ?? fetch;
  const random = options.random ?? Math.random;
  const clock = options.clock ?? (() => new Date());
  const maxBuffered = options.maxBuffered ?? 10_000;
  const buffer: TrackCall[] = [];
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | null = null;
  const enabled = Boolean(options.ingestUrl) && options.sampleRate > 0;

  /** Sends the buffer in batches of 100; a batch ingest refuses ends this round. */
  const drain = async (): Promise<void> => {
    while (buffer.length > 0) {
      const batch = buffer.splice(0, 100);
      try {
        const res = await send(`${options.ingestUrl}/api/analytics/v1/batch`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(options.writeKey && {
              authorization: `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`,
            }),
          },
          body: JSON.stringify({ batch }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 2_000),
        });
        if (!res.ok) throw new Error(`analytics ingest answered ${res.status}`);
      } catch (error) {
        dropped += batch.length;
        log.warn({ err: error, dropped: batch.length }, 'experiment exposures not recorded');
        return;
      }
    }
  };

  // One round at a time. The round is forgotten in a `finally` callback, which runs after the
  // assignment: an async function's own `finally` runs synchronously when it has nothing to
  // await (an empty buffer), before `flushing` was even set, and every later flush would have
  // returned that settled round and sent nothing again.
  const flush = (): Promise<void> => {
    flushing ??= drain().finally(() => {
      flushing = null;
    });
    return flushing;
  };

  return {
    record(evaluation, context) {
      if (!enabled || 'errorCode' in evaluation || evaluation.variant === undefined) return;
      if (evaluation.metadata.experiment !== true) return;
      if (typeof context.targetingKey !== 'string' || context.targetingKey === '') return;
      if (random() >= options.sampleRate) return;
      if (buffer.length >= maxBuffered) {
        dropped += 1;
        return;
      }
      buffer.push({
        type: 'track',
        event: 'Experiment Viewed',
        anonymousId: context.targetingKey,
        messageId: crypto.randomUUID(),
        timestamp: clock().toISOString(),
        properties: {
          experiment_id: evaluation.key,
          variant_id: evaluation.variant,
          environment: options.environment,
        },
      });
    },
    flush,
    dropped: () => dropped,
    start() {
      if (!enabled) return;
      timer = setInterval(() => void flush(), options.intervalMs ?? 1_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
