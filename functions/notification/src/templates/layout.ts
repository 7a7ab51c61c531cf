// The frame every mail shares: HTML (escaped by hono/html) and plain text, in the user's language.
import { html, raw } from 'hono/html';
import type { Language } from '../domain/pick-language.js';

/** A mail as the channels send it. */
export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/** Where and how a template renders. */
export interface RenderContext {
  language: Language;
  /** BCP 47 locale for money and dates. */
  locale: string;
  shopName: string;
  /** RFC 8058 target, on marketing mails only. */
  unsubscribeUrl?: string;
}

/** A block of the mail body: a paragraph, a button, or a table of rows. */
export type Block =
  | { kind: 'p'; text: string }
  | { kind: 'button'; label: string; href: string }
  | { kind: 'table'; head: string[]; rows: string[][]; foot?: string[][] };

const FOOTER = {
  en: {
    why: 'You get this mail because of your account at',
    unsubscribe: 'Unsubscribe from these mails',
  },
  de: {
    why: 'Sie erhalten diese E-Mail wegen Ihres Kontos bei',
    unsubscribe: 'Von diesen E-Mails abmelden',
  },
} as const;

/** Formats an ISO instant as the locale writes date and time (UTC). */
export function formatInstant(iso: string, locale: string): string {
  const formatted = new Intl.DateTimeFormat(locale, {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(new Date(iso));
  return `${formatted} UTC`;
}

function blockHtml(block: Block) {
  switch (block.kind) {
    case 'p':
      return html`<p style="margin:0 0 16px">${block.text}</p>`;
    case 'button':
      return html`<p style="margin:0 0 16px"><a href="${block.href}" style="display:inline-block;padding:10px 18px;background:#1f4e79;color:#fff;text-decoration:none;border-radius:4px">${block.label}</a></p>
<p style="margin:0 0 16px;font-size:12px;color:#555;word-break:break-all">${block.href}</p>`;
    case 'table':
      return html`<table style="border-collapse:collapse;width:100%;margin:0 0 16px">
<thead><tr>${block.head.map((cell) => html`<th style="text-align:left;border-bottom:1px solid #ccc;padding:4px">${cell}</th>`)}</tr></thead>
<tbody>${block.rows.map((row) => html`<tr>${row.map((cell) => html`<td style="padding:4px;border-bottom:1px solid #eee">${cell}</td>`)}</tr>`)}</tbody>
${block.foot ? html`<tfoot>${block.foot.map((row) => html`<tr>${row.map((cell) => html`<td style="padding:4px;font-weight:bold">${cell}</td>`)}</tr>`)}</tfoot>` : ''}
</table>`;
  }
}

function blockText(block: Block): string {
  switch (block.kind) {
    case 'p':
      return block.text;
    case 'button':
      return `${block.label}:\n${block.href}`;
    case 'table': {
      const rows = [...block.rows, ...(block.foot ?? [])];
      return rows.map((row) => row.filter((cell) => cell !== '').join('  ·  ')).join('\n');
    }
  }
}

/**
 * One mail in both forms from its subject and blocks; user data is escaped in the HTML.
 * @example renderLayout(ctx, 'Welcome', [{ kind: 'p', text: 'Hello' }])
 */
export function renderLayout(
  ctx: RenderContext,
  subject: string,
  blocks: readonly Block[],
): RenderedMessage {
  const footer = FOOTER[ctx.language];
  const body = html`<!doctype html>
<html lang="${ctx.language}"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#222;max-width:600px;margin:0 auto;padding:16px">
<h1 style="font-size:20px">${subject}</h1>
${blocks.map(blockHtml)}
<hr style="border:none;border-top:1px solid #ddd">
<p style="font-size:12px;color:#777">${footer.why} ${ctx.shopName}.${
    ctx.unsubscribeUrl ? html` <a href="${ctx.unsubscribeUrl}">${footer.unsubscribe}</a>` : raw('')
  }</p>
</body></html>`;
  const text = [
    subject,
    '',
    ...blocks.map(blockText).flatMap((t) => [t, '']),
    '--',
    `${footer.why} ${ctx.shopName}.`,
    ...(ctx.unsubscribeUrl ? [`${footer.unsubscribe}: ${ctx.unsubscribeUrl}`] : []),
    '',
  ].join('\n');
  // No promise is ever interpolated, so hono/html renders synchronously.
  if (body instanceof Promise) throw new Error('a mail template must render synchronously');
  return { subject, text, html: body.toString() };
}
