// The one interface every channel (email, SMS, push) sends through; each has a provider adapter
// and a dev adapter, chosen by config in main.ts.

/** A message ready to leave: rendered, addressed, with the headers its category needs. */
export interface OutgoingMessage {
  /** notification.message id: the Message-ID of a mail, the idempotency key at providers. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** BCP 47 tag of the message (Content-Language). */
  language: string;
  /** Extra headers: List-Unsubscribe and List-Unsubscribe-Post on marketing mail. */
  headers: Record<string, string>;
}

/** What the provider said when it took the message. */
export interface SendResult {
  providerMessageId: string | null;
}

/**
 * A provider refused or failed a send. `permanent`: trying again cannot help (a rejected
 * address, a bad request); the message fails at once. Otherwise it is retried with backoff.
 */
export class ChannelError extends Error {
  override name = 'ChannelError';
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Sends one message; throws {@link ChannelError} (or anything: counted transient). */
export interface Channel {
  readonly name: 'email' | 'sms' | 'push';
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Closes connections (pooled SMTP). */
  close?(): Promise<void>;
}
