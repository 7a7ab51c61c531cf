// Delivery as the Kafka broker's dispatcher does it: the egress configuration the control plane
// derives from DeliverySpecs (control-plane/pkg/core/config: EgressConfigFromDelivery,
// MergeEgressConfig) and the sender's retry loop (data-plane WebClientCloudEventSender).
import { currentTraceparent, isInstrumented } from '@shop/shared';
import { type BrokerEvent, toBinaryHttp, withExtensions } from './cloudevent.js';
import { parseIsoDuration } from './duration.js';

/** A Knative Destination: a reference to an addressable, a URI, or both (URI relative). */
export interface Destination {
  ref?: { apiVersion: string; kind: string; name: string; namespace?: string };
  uri?: string;
  /** The OIDC audience of the destination when its addressable publishes none (a Service). */
  audience?: string;
}

/** `spec.delivery` of a Broker or Trigger (eventing duck/v1 DeliverySpec). */
export interface DeliverySpec {
  deadLetterSink?: Destination;
  retry?: number;
  backoffPolicy?: 'linear' | 'exponential';
  /** ISO-8601 duration. */
  backoffDelay?: string;
  /** ISO-8601 duration of one request. */
  timeout?: string;
  /** Honoured by the channel-based broker only; the Kafka broker ignores Retry-After. */
  retryAfterMax?: string;
}

/** The resolved delivery settings of one Trigger (the data-plane contract's EgressConfig). */
export interface EgressConfig {
  /** Dead-letter sink URL, or "" for none. */
  deadLetter: string;
  retry: number;
  backoffPolicy: 'linear' | 'exponential';
  /** 0 means no delay between attempts. */
  backoffDelayMs: number;
  /** 0 means the data plane default, {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs: number;
}

/** `BROKER_DEFAULT_BACKOFF_DELAY_MS` of the kafka-controller deployment. */
export const DEFAULT_BACKOFF_DELAY_MS = 1000;
/** WebClientCloudEventSender.DEFAULT_TIMEOUT_MS: per request, when the spec sets no timeout. */
export const DEFAULT_TIMEOUT_MS = 600_000;
/** RecordDispatcherImpl.KN_ERROR_DATA_MAX_BYTES. */
export const ERROR_DATA_MAX_BYTES = 1024;

/**
 * EgressConfigFromDelivery: nothing when the spec sets none of deadLetterSink, retry and
 * timeout; backoff delay and policy only count when `retry` is set (delay default 1 s, policy
 * default exponential).
 */
export function egressConfigFromDelivery(
  delivery: DeliverySpec | undefined,
  resolveDeadLetter: (destination: Destination) => string,
  defaultBackoffDelayMs = DEFAULT_BACKOFF_DELAY_MS,
): EgressConfig | undefined {
  if (
    !delivery ||
    (delivery.deadLetterSink === undefined &&
      delivery.retry === undefined &&
      delivery.timeout === undefined)
  ) {
    return undefined;
  }
  const config: EgressConfig = {
    deadLetter: '',
    retry: 0,
    backoffPolicy: 'exponential',
    backoffDelayMs: 0,
    timeoutMs: 0,
  };
  if (delivery.deadLetterSink) config.deadLetter = resolveDeadLetter(delivery.deadLetterSink);
  if (delivery.retry !== undefined) {
    config.retry = delivery.retry;
    config.backoffDelayMs =
      delivery.backoffDelay === undefined
        ? defaultBackoffDelayMs
        : mustParse(delivery.backoffDelay, 'backoffDelay');
    config.backoffPolicy = delivery.backoffPolicy === 'linear' ? 'linear' : 'exponential';
  }
  if (delivery.timeout !== undefined) config.timeoutMs = mustParse(delivery.timeout, 'timeout');
  return config;
}

function mustParse(duration: string, field: string): number {
  const ms = parseIsoDuration(duration);
  if (ms === undefined) throw new Error(`${field} ${duration} is not an ISO-8601 duration`);
  return ms;
}

/**
 * MergeEgressConfig(trigger, broker): the Trigger's values win field by field where they are
 * set (non-empty, non-zero); the backoff policy is the Trigger's whenever it has any config.
 */
export function mergeEgressConfig(
  trigger: EgressConfig | undefined,
  broker: EgressConfig | undefined,
): EgressConfig {
  const none: EgressConfig = {
    deadLetter: '',
    retry: 0,
    backoffPolicy: 'exponential',
    backoffDelayMs: 0,
    timeoutMs: 0,
  };
  if (!trigger) return broker ?? none;
  if (!broker) return trigger;
  return {
    deadLetter: trigger.deadLetter || broker.deadLetter,
    retry: trigger.retry || broker.retry,
    backoffPolicy: trigger.backoffPolicy,
    backoffDelayMs: trigger.backoffDelayMs || broker.backoffDelayMs,
    timeoutMs: trigger.timeoutMs || broker.timeoutMs,
  };
}

/**
 * Delay before retry `n` (1-based), as WebClientCloudEventSender.computeRetryPolicy:
 * `delay·n` (linear) or `delay·2ⁿ` (exponential); no delay without a backoff delay.
 */
export function retryDelayMs(config: EgressConfig, n: number): number {
  if (config.backoffDelayMs <= 0) return 0;
  return config.backoffPolicy === 'linear'
    ? config.backoffDelayMs * n
    : config.backoffDelayMs * Math.round(2 ** n);
}

/** Statuses worth retrying (knative/specs data-plane.md): 5xx, 404, 408, 409, 429. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 404 || status === 408 || status === 409 || status === 429;
}

/** The last answer of a delivery, after retries. */
export type SendOutcome =
  | { kind: 'response'; status: number; headers: Headers; body: Buffer; attempts: number }
  | { kind: 'error'; error: Error; attempts: number }
  | { kind: 'aborted'; attempts: number };

export interface SendOptions {
  /** Value of the `Kn-Namespace` header: the namespace of the Trigger. */
  namespace: string;
  /** Aborts the delivery (broker stopping); the outcome is then `aborted`. */
  signal: AbortSignal;
  /** Called before every attempt, for metrics and tests. */
  onAttempt?: (attempt: number) => void;
  /**
   * The OIDC token presented on every attempt (`Authorization: Bearer`), as the dispatcher
   * requests one for the destination's audience; undefined sends none.
   */
  token?: () => string | undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** One POST; `attempts` is filled in by the caller. */
async function attempt(
  target: string,
  event: BrokerEvent,
  config: EgressConfig,
  options: SendOptions,
): Promise<SendOutcome> {
  const { headers, body } = toBinaryHttp(event);
  const timeout = AbortSignal.timeout(config.timeoutMs > 0 ? config.timeoutMs : DEFAULT_TIMEOUT_MS);
  const token = options.token?.();
  // The delivery span's context for the subscriber (the undici instrumentation sends it where
  // the SDK runs); ce-traceparent still holds the event's starting trace.
  const hop = isInstrumented() ? undefined : currentTraceparent();
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers: {
        ...headers,
        ...(hop && { traceparent: hop }),
        prefer: 'reply',
        'kn-namespace': options.namespace,
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.any([options.signal, timeout]),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    return {
      kind: 'response',
      status: response.status,
      headers: response.headers,
      body: bytes,
      attempts: 0,
    };
  } catch (error) {
    if (options.signal.aborted) return { kind: 'aborted', attempts: 0 };
    return { kind: 'error', error: error as Error, attempts: 0 };
  }
}

/**
 * POSTs the event in binary mode with `Prefer: reply` and `Kn-Namespace`, retrying network
 * errors, timeouts and retryable statuses up to `config.retry` times with the backoff
 * schedule. A status ≥ 300 is a failure; `Retry-After` is ignored, as in the Kafka broker.
 */
export async function sendWithRetries(
  target: string,
  event: BrokerEvent,
  config: EgressConfig,
  options: SendOptions,
): Promise<SendOutcome> {
  for (let n = 0; ; n++) {
    options.onAttempt?.(n);
    const outcome = await attempt(target, event, config, options);
    const attempts = n + 1;
    if (outcome.kind === 'aborted') return { kind: 'aborted', attempts };
    const retryable =
      outcome.kind === 'error' || (outcome.status >= 300 && isRetryableStatus(outcome.status));
    if (!retryable || n >= config.retry) return { ...outcome, attempts };
    if (!(await sleep(retryDelayMs(config, n + 1), options.signal))) {
      return { kind: 'aborted', attempts };
    }
  }
}

const KNE_PREFIX = 'kne-';
const EXTENSION_NAME = /^[a-z0-9]+$/;

/**
 * RecordDispatcherImpl.errorTransform: the event for the dead-letter sink carries
 * `knativeerrordest` (the subscriber), and when the subscriber answered with a failure status
 * also `knativeerrorcode`, `knativeerrordata` (base64 of at most 1024 bytes of its body) and
 * every `kne-<name>` response header as extension `<name>`.
 */
export function deadLetterEvent(
  event: BrokerEvent,
  destination: string,
  failure: { status: number; headers: Headers; body: Buffer } | undefined,
): BrokerEvent {
  const extensions: Record<string, string> = { knativeerrordest: destination };
  if (failure) {
    extensions.knativeerrorcode = String(failure.status);
    failure.headers.forEach((value, name) => {
      const extension = name.toLowerCase().slice(KNE_PREFIX.length);
      if (name.toLowerCase().startsWith(KNE_PREFIX) && EXTENSION_NAME.test(extension)) {
        extensions[extension] = value;
      }
    });
    if (failure.body.length > 0) {
      extensions.knativeerrordata = failure.body
        .subarray(0, ERROR_DATA_MAX_BYTES)
        .toString('base64');
    }
  }
  return withExtensions(event, extensions);
}
