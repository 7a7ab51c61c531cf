// Delivers signed webhook payloads with retries: exponential backoff, a bounded timeout per
// attempt, redirects never followed, every attempt recorded for GET /v1/events.
import { currentTraceparent, isInstrumented, type Logger } from '@shop/shared';
import { signStandardPayload, signStripePayload } from './sign.js';

/** How the simulator calls the webhook endpoint. */
export interface WebhookConfig {
  url: string;
  /** `stripe`: Stripe-Signature; `standard`: Standard Webhooks headers. */
  mode: 'stripe' | 'standard';
  /** Signing secrets; each signs (several while a secret is rolled). */
  secrets: readonly string[];
  /** Attempts per delivery, the first included. */
  maxAttempts: number;
  /** Delay before the 2nd attempt; doubles for each next one (1 s, 2 s, 4 s …). */
  retryBaseMs: number;
  /** Per-attempt timeout; capped at {@link MAX_ATTEMPT_TIMEOUT_MS}. */
  attemptTimeoutMs?: number;
}

/** No attempt waits longer than this for the endpoint's answer. */
export const MAX_ATTEMPT_TIMEOUT_MS = 5_000;

/** One POST to the webhook endpoint. */
export interface DeliveryAttempt {
  attempt: number;
  /** When the attempt started, UTC ISO-8601. */
  at: string;
  /** The endpoint's HTTP status; absent when it did not answer. */
  status?: number;
  /** Why the attempt failed, when it did. */
  error?: string;
  durationMs: number;
}

/** One delivery of an event (a duplicated event has two). */
export interface Delivery {
  status: 'pending' | 'delivered' | 'failed' | 'stopped';
  attempts: DeliveryAttempt[];
  /** When the next attempt is due, while retrying. */
  nextAttemptAt?: string;
}

export interface WebhookSenderDeps {
  config: WebhookConfig;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  log: Logger;
}

export interface WebhookSender {
  /** Delivers `payload` (the raw JSON body) until a 2xx or the last attempt; updates `delivery`. */
  deliver(eventId: string, payload: string, delivery: Delivery): Promise<void>;
  /** Cancels waiting retries and in-flight attempts. */
  stop(): void;
}

/** The delay before attempt `attempt + 1` after attempt `attempt` failed. */
export function retryDelayMs(config: Pick<WebhookConfig, 'retryBaseMs'>, attempt: number): number {
  return config.retryBaseMs * 2 ** (attempt - 1);
}

/**
 * A sender of signed webhooks.
 * @example await createWebhookSender({ config, log }).deliver('evt_1', body, { status: 'pending', attempts: [] });
 */
export function createWebhookSender(deps: WebhookSenderDeps): WebhookSender {
  const { config, log } = deps;
  const fetchImpl = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  const stopping = new AbortController();
  const timeoutMs = Math.min(
    config.attemptTimeoutMs ?? MAX_ATTEMPT_TIMEOUT_MS,
    MAX_ATTEMPT_TIMEOUT_MS,
  );

  function headersFor(eventId: string, payload: string): Record<string, string> {
    const timestamp = Math.floor(now() / 1000);
    const base = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'ShopPaymentSimulator/1.0 (+https://stripe.com/docs/webhooks)',
    };
    return config.mode === 'stripe'
      ? { ...base, 'stripe-signature': signStripePayload(payload, config.secrets, timestamp) }
      : { ...base, ...signStandardPayload(eventId, payload, config.secrets, timestamp) };
  }

  async function attemptOnce(eventId: string, payload: string, attempt: number) {
    const started = now();
    const record: DeliveryAttempt = { attempt, at: new Date(started).toISOString(), durationMs: 0 };
    const hop = currentTraceparent();
    try {
      const response = await fetchImpl(config.url, {
        method: 'POST',
        headers: {
          ...headersFor(eventId, payload),
          // By hand only without the SDK (its undici instrumentation sets the header).
          ...(!isInstrumented() && hop && { traceparent: hop }),
        },
        body: payload,
        // A redirect is a failed delivery, as at Stripe: the endpoint must answer itself.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stopping.signal]),
      });
      record.status = response.status;
      await response.body?.cancel().catch(() => {});
      if (response.status < 200 || response.status > 299) {
        record.error = `answered HTTP ${response.status}`;
      }
    } catch (error) {
      record.error =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : error instanceof Error
            ? String(error.cause instanceof Error ? error.cause.message : error.message)
            : 'request failed';
    }
    record.durationMs = Math.max(0, now() - started);
    return record;
  }

  function sleep(ms: number): Promise<boolean> {
    if (stopping.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onStop = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        stopping.signal.removeEventListener('abort', onStop);
        resolve(true);
      }, ms);
      stopping.signal.addEventListener('abort', onStop, { once: true });
    });
  }

  return {
    async deliver(eventId, payload, delivery) {
      for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
        if (stopping.signal.aborted) break;
        const record = await attemptOnce(eventId, payload, attempt);
        delivery.attempts.push(record);
        if (record.error === undefined) {
          delivery.status = 'delivered';
          delete delivery.nextAttemptAt;
          log.debug({ eventId, attempt, status: record.status }, 'webhook delivered');
          return;
        }
        if (attempt === config.maxAttempts) break;
        const delay = retryDelayMs(config, attempt);
        delivery.nextAttemptAt = new Date(now() + delay).toISOString();
        log.info({ eventId, attempt, error: record.error, retryInMs: delay }, 'webhook failed');
        if (!(await sleep(delay))) break;
      }
      delete delivery.nextAttemptAt;
      delivery.status = stopping.signal.aborted ? 'stopped' : 'failed';
      if (delivery.status === 'failed') {
        log.warn({ eventId, attempts: delivery.attempts.length }, 'webhook given up');
      }
    },
    stop() {
      stopping.abort(new Error('simulator stopping'));
    },
  };
}
