// Sends what the /events handler stored: polls notification.message for due rows (new ones,
// retries whose backoff ran out, sends whose lease expired), renders each in its language, sends
// it through its channel and stores the result; a sent message writes shop.notification.sent in
// the same transaction. The table is the retry queue, so a restart loses nothing.
import type { Database, Logger } from '@shop/shared';
import type { Channel } from './channels/channel.js';
import { pickLanguage } from './domain/pick-language.js';
import { type RetryPolicy, retryDelayMs } from './domain/retry-delay.js';
import { signUnsubscribeToken } from './domain/unsubscribe-token.js';
import { events } from './events.js';
import {
  claimDueMessages,
  findRecipient,
  isErased,
  markAttemptFailed,
  markSent,
  markSuppressed,
  type StoredMessage,
} from './store.js';
import { renderTemplate, type TemplateName, type TemplatePayloads } from './templates/templates.js';

/** What the dispatcher is built from. */
export interface DispatcherOptions {
  db: Database;
  log: Logger;
  channels: Partial<Record<StoredMessage['channel'], Channel>>;
  retry: RetryPolicy;
  /** The shop's name in subjects and footers. */
  shopName: string;
  /** Signs the RFC 8058 links of marketing mail; `baseUrl` is the public gateway. */
  unsubscribe: { secret: string; baseUrl: string };
  clock?: () => Date;
  random?: () => number;
  /** A send that takes longer than this is taken up again (its process is presumed dead). */
  leaseMs?: number;
  batchSize?: number;
  /** Called after a sent message's event was written (wakes the outbox relay). */
  onEventsRecorded?: () => void;
}

/** The dispatcher's handle; see {@link createDispatcher}. */
export interface Dispatcher {
  /** Sends everything due now; resolves to how many messages were handled. */
  runOnce(): Promise<number>;
  /** Asks for a run soon (after /events stored messages); runs never overlap. */
  wake(): void;
  /** Polls every `pollMs` until stopped. */
  start(pollMs: number): void;
  /** Stops polling and waits for the run in progress. */
  stop(): Promise<void>;
  /** Sets what wakes the outbox relay after a sent message's event was written. */
  connectRelay(onEventsRecorded: () => void): void;
}

/**
 * The sending loop of notification.
 * @example const dispatcher = createDispatcher({ db, log, channels: { email }, retry, shopName: 'Shop', unsubscribe }); await dispatcher.runOnce();
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, log, channels, retry } = options;
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const leaseMs = options.leaseMs ?? 120_000;
  const batchSize = options.batchSize ?? 20;
  let onEventsRecorded = options.onEventsRecorded ?? (() => {});

  const unsubscribeUrl = (userId: string) => {
    const url = new URL('/api/notifications/unsubscribe', options.unsubscribe.baseUrl);
    url.searchParams.set('token', signUnsubscribeToken(options.unsubscribe.secret, userId));
    return url.toString();
  };

  const fail = async (message: StoredMessage, error: unknown, permanent: boolean) => {
    const now = clock();
    const last = permanent || message.attempts >= retry.maxAttempts;
    const retryAt = last
      ? null
      : new Date(now.getTime() + retryDelayMs(message.attempts, retry, random));
    const reason = error instanceof Error ? error.message : String(error);
    await markAttemptFailed(db, message.id, reason, retryAt, now);
    log.warn(
      { notificationId: message.id, attempts: message.attempts, retryAt, permanent, err: reason },
      last
        ? 'notification failed for good: listed for staff'
        : 'notification send failed: will retry',
    );
  };

  const handle = async (message: StoredMessage) => {
    const now = clock();
    if (message.userId && (await isErased(db, message.userId))) {
      return markSuppressed(db, message.id, 'erased', now);
    }
    if (!message.recipient) return markSuppressed(db, message.id, 'no_recipient', now);
    let unsubscribe: string | undefined;
    if (message.category === 'marketing') {
      const recipient = message.userId ? await findRecipient(db, message.userId) : undefined;
      if (!recipient?.marketingConsent || !message.userId) {
        return markSuppressed(db, message.id, 'no_consent', now);
      }
      unsubscribe = unsubscribeUrl(message.userId);
    }
    const channel = channels[message.channel];
    if (!channel)
      return fail(message, new Error(`no ${message.channel} channel is configured`), true);
    const { language, locale } = pickLanguage(message.locale);
    let rendered: ReturnType<typeof renderTemplate>;
    try {
      rendered = renderTemplate(
        message.template,
        message.payload as unknown as TemplatePayloads[TemplateName],
        {
          language,
          locale,
          shopName: options.shopName,
          ...(unsubscribe && { unsubscribeUrl: unsubscribe }),
        },
      );
    } catch (error) {
      // A payload the template cannot render will not render on a retry either.
      return fail(
        message,
        new Error(`rendering ${message.template} failed: ${(error as Error).message}`),
        true,
      );
    }
    let result: Awaited<ReturnType<Channel['send']>>;
    try {
      result = await channel.send({
        id: message.id,
        to: message.recipient,
        ...rendered,
        language: locale,
        headers: unsubscribe
          ? {
              'List-Unsubscribe': `<${unsubscribe}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            }
          : {},
      });
    } catch (error) {
      const permanent = (error as { permanent?: unknown }).permanent === true;
      return fail(message, error, permanent);
    }
    const sentAt = clock();
    await db.transaction(async (tx) => {
      if (!(await markSent(tx, message.id, result.providerMessageId, sentAt))) return;
      await events.write(tx, {
        type: 'shop.notification.sent',
        subject: message.id,
        partitionKey: message.id,
        data: {
          notificationId: message.id,
          channel: message.channel,
          template: message.template,
          recipientUserId: message.userId,
          cause: { type: message.causeType, source: message.causeSource, id: message.causeId },
          sentAt: sentAt.toISOString(),
        },
      });
    });
    onEventsRecorded();
  };

  let running: Promise<number> | undefined;
  let again = false;
  const runOnce = async (): Promise<number> => {
    let handled = 0;
    for (;;) {
      const due = await claimDueMessages(db, clock(), leaseMs, batchSize);
      for (const message of due) {
        try {
          await handle(message);
        } catch (error) {
          // The row keeps its lease and is taken up again when it runs out.
          log.error({ err: error, notificationId: message.id }, 'notification dispatch failed');
        }
        handled += 1;
      }
      if (due.length < batchSize) return handled;
    }
  };
  const run = () => {
    if (running) {
      again = true;
      return running;
    }
    running = runOnce()
      .catch((error: unknown) => {
        log.error({ err: error }, 'notification dispatcher run failed');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          void run();
        }
      });
    return running;
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    runOnce: () => run(),
    wake: () => void run(),
    start(pollMs) {
      timer = setInterval(() => void run(), pollMs);
      timer.unref();
    },
    connectRelay(callback) {
      onEventsRecorded = callback;
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      again = false;
      await running;
    },
  };
}
