// The dev and test SMTP server: smtp-server accepts what notification sends, mailparser reads
// it, and the dev mailbox page (/dev/mailbox) lists and shows it. Never part of production:
// `npm run dev` and the tests start it (`@shop/notification/dev-smtp`); main.ts never imports it.
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { type AddressObject, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail the sink received, parsed. */
export interface ReceivedMail {
  id: string;
  receivedAt: Date;
  /** SMTP envelope recipients (RCPT TO). */
  envelopeTo: string[];
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  messageId: string | null;
  /** Header names in lower case, values as sent. */
  headers: Record<string, string>;
}

/** A running sink; see {@link startDevSmtp}. */
export interface DevSmtp {
  host: string;
  port: number;
  /** What arrived, oldest first (the newest `keep`). */
  readonly mails: readonly ReceivedMail[];
  /** Resolves with the first mail (already here or arriving) that matches, else rejects after `timeoutMs`. */
  waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /**
   * The next `count` messages (to `to`, if given) are refused with this SMTP code (4xx: try
   * again; 5xx: never): a provider outage for tests.
   */
  refuseNext(count: number, code: number, to?: string): void;
  clear(): void;
  close(): Promise<void>;
}

const addresses = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((group) =>
    group.value.map((a) => a.address ?? '').filter(Boolean),
  );

/**
 * Starts the SMTP sink on `port` (0: any free one), without TLS or authentication (loopback
 * only by default).
 * @example const smtp = await startDevSmtp({ port: 0 }); const mail = await smtp.waitFor((m) => m.to.includes('ana@example.com'));
 */
export async function startDevSmtp(
  options: { port?: number; host?: string; keep?: number } = {},
): Promise<DevSmtp> {
  const host = options.host ?? '127.0.0.1';
  const keep = options.keep ?? 500;
  const mails: ReceivedMail[] = [];
  const waiters = new Set<(mail: ReceivedMail) => void>();
  let refusals: { count: number; code: number; to?: string } = { count: 0, code: 451 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const recipients = session.envelope.rcptTo.map((r) => r.address);
      if (refusals.count > 0 && (!refusals.to || recipients.includes(refusals.to))) {
        refusals = { ...refusals, count: refusals.count - 1 };
        stream.resume();
        stream.on('end', () => {
          const error = Object.assign(new Error('refused by the dev SMTP sink (as asked)'), {
            responseCode: refusals.code,
          });
          callback(error);
        });
        return;
      }
      simpleParser(stream)
        .then((parsed) => {
          const headers: Record<string, string> = {};
          for (const line of parsed.headerLines) {
            headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
          }
          const mail: ReceivedMail = {
            id: randomUUID(),
            receivedAt: new Date(),
            envelopeTo: recipients,
            from: addresses(parsed.from)[0] ?? '',
            to: addresses(parsed.to),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: parsed.html === false ? null : (parsed.html ?? null),
            messageId: parsed.messageId ?? null,
            headers,
          };
          mails.push(mail);
          if (mails.length > keep) mails.splice(0, mails.length - keep);
          for (const waiter of waiters) waiter(mail);
          callback();
        })
        .catch((error: unknown) => callback(error as Error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 2525, host, () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 2525);
  return {
    host,
    port,
    mails,
    waitFor(match, timeoutMs = 10_000) {
      const found = mails.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = (mail: ReceivedMail) => {
          if (!match(mail)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching mail arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    refuseNext(count, code, to) {
      refusals = { count, code, ...(to && { to }) };
    },
    clear() {
      mails.splice(0, mails.length);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const page = (title: string, body: unknown) =>
  html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:Arial,Helvetica,sans-serif;margin:24px}table{border-collapse:collapse}td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left}pre{white-space:pre-wrap;background:#f6f6f6;padding:8px}iframe{width:100%;height:600px;border:1px solid #ccc}</style>
</head><body><h1>${title}</h1>${body}</body></html>`;

/**
 * The dev mailbox: `GET /dev/mailbox` lists what the sink received, `/dev/mailbox/:id` shows one
 * mail (headers, text, and the HTML in a sandboxed frame), `/dev/mailbox.json` the list as JSON.
 * @example const app = createMailboxApp(smtp); await app.request('/dev/mailbox');
 */
export function createMailboxApp(smtp: Pick<DevSmtp, 'mails'>): Hono {
  const app = new Hono();
  app.get('/', (c) => c.redirect('/dev/mailbox'));
  app.get('/dev/mailbox.json', (c) => c.json([...smtp.mails].reverse()));
  app.get('/dev/mailbox', (c) => {
    const rows = [...smtp.mails].reverse();
    return c.html(
      page(
        `Dev mailbox (${rows.length})`,
        rows.length === 0
          ? html`<p>Nothing yet: sign up, reset a password or buy something.</p>`
          : html`<table><thead><tr><th>Received (UTC)</th><th>To</th><th>Subject</th><th>Language</th></tr></thead><tbody>${rows.map(
              (m) =>
                html`<tr><td>${m.receivedAt.toISOString()}</td><td>${m.to.join(', ')}</td><td><a href="/dev/mailbox/${m.id}">${m.subject}</a></td><td>${m.headers['content-language'] ?? ''}</td></tr>`,
            )}</tbody></table>`,
      ),
    );
  });
  app.get('/dev/mailbox/:id', (c) => {
    const mail = smtp.mails.find((m) => m.id === c.req.param('id'));
    if (!mail)
      return c.html(page('Not in the mailbox', html`<p><a href="/dev/mailbox">Back</a></p>`), 404);
    // The mail's own HTML runs in a frame with no scripts, no same origin, no forms.
    return c.html(
      page(
        mail.subject,
        html`<p><a href="/dev/mailbox">Back</a></p>
<table>${Object.entries(mail.headers).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</table>
<h2>Text</h2><pre>${mail.text}</pre>
${mail.html ? html`<h2>HTML</h2><iframe sandbox="" srcdoc="${mail.html}"></iframe>` : raw('')}`,
      ),
    );
  });
  return app;
}

/**
 * Serves the dev mailbox page on `port` (loopback).
 * @example const mailbox = await startDevMailbox(smtp, { port: 8073 }); console.log(`${mailbox.url}/dev/mailbox`);
 */
export async function startDevMailbox(
  smtp: Pick<DevSmtp, 'mails'>,
  options: { port?: number; host?: string } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  const app = createMailboxApp(smtp);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 8073, hostname: host }, () =>
      resolve(s),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
