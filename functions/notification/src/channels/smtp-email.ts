// Email over SMTP with nodemailer: production's relay, the dev SMTP sink in `npm run dev` and
// tests. One pooled transport per process.
import { createTransport } from 'nodemailer';
import { type Channel, ChannelError, type OutgoingMessage } from './channel.js';

/** How to reach the SMTP server, from NOTIFICATION_SMTP_* (main.ts). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  /** Refuse to send without STARTTLS (production relays). */
  requireTls?: boolean;
  user?: string;
  pass?: string;
  /** The From address, e.g. `Shop <shop@shop.example>`. */
  from: string;
  /** Bound on connecting, greeting and each command, in milliseconds. */
  timeoutMs?: number;
}

/**
 * An email channel over SMTP. SMTP 5xx answers (a refused recipient, a rejected message) are
 * permanent; 4xx answers and connection failures are retried. The Message-ID is the message's
 * id, so a retry after a lost answer shows up as the same mail at the receiver.
 * @example const email = createSmtpEmailChannel({ host: '127.0.0.1', port: 2525, secure: false, from: 'Shop <shop@shop.test>' });
 */
export function createSmtpEmailChannel(settings: SmtpSettings): Channel {
  const timeout = settings.timeoutMs ?? 15_000;
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.requireTls ?? false,
    ...(settings.user && { auth: { user: settings.user, pass: settings.pass ?? '' } }),
    pool: true,
    maxConnections: 3,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  const domain = settings.from.match(/@([^>\s]+)>?\s*$/)?.[1] ?? 'shop.invalid';
  return {
    name: 'email',
    async send(message: OutgoingMessage) {
      try {
        const info = await transport.sendMail({
          from: settings.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: `<${message.id}@${domain}>`,
          headers: { 'Content-Language': message.language, ...message.headers },
        });
        return { providerMessageId: info.messageId ?? null };
      } catch (error) {
        const code = (error as { responseCode?: unknown }).responseCode;
        const permanent = typeof code === 'number' && code >= 500 && code < 600;
        throw new ChannelError(
          `SMTP send failed${typeof code === 'number' ? ` (${code})` : ''}: ${(error as Error).message}`,
          permanent,
          { cause: error },
        );
      }
    },
    async close() {
      transport.close();
    },
  };
}
