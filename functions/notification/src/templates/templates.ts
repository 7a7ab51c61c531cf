// Every message notification sends: its category (transactional ones ignore marketing
// preferences; marketing ones need consent and carry one-click unsubscribe) and how it renders,
// in English and German.
import type { Money } from '@shop/shared';
import { multiplyMoney } from '@shop/shared';
import { formatMoney } from '../domain/format-money.js';
import {
  type Block,
  formatInstant,
  type RenderContext,
  type RenderedMessage,
  renderLayout,
} from './layout.js';

export type { RenderContext, RenderedMessage } from './layout.js';

interface Named {
  displayName: string | null;
}
interface WithLink extends Named {
  link: string;
  expiresAt: string;
}
export interface OrderLine {
  name: string;
  quantity: number;
  unitPrice: Money;
}

/** What each template renders from (stored with the message, so a retry renders the same). */
export interface TemplatePayloads {
  welcome: WithLink;
  'verify-email': WithLink;
  'password-reset': WithLink;
  'email-change-current': WithLink & { newEmail: string };
  'email-change-new': WithLink & { currentEmail: string };
  'email-changed': Named & { email: string; changedAt: string };
  'session-reuse-alert': Named & { detectedAt: string };
  'staff-invitation': WithLink & { roles: string[] };
  'newsletter-welcome': Named;
  receipt: Named & { orderId: string; items: OrderLine[]; total: Money; paidAt: string };
  'payment-failed': Named & { orderId: string; reason: string | null };
  refund: Named & { orderId: string; amount: Money; refundedAt: string };
  'order-cancelled': Named & {
    orderId: string;
    reason: 'shopper' | 'staff' | 'payment_timeout';
  };
}
export type TemplateName = keyof TemplatePayloads;
export type Category = 'transactional' | 'marketing';

type Strings<P> = (payload: P, ctx: RenderContext) => { subject: string; blocks: Block[] };
interface Template<P> {
  category: Category;
  en: Strings<P>;
  de: Strings<P>;
}

const hello = (ctx: RenderContext, named: Named) =>
  ctx.language === 'de'
    ? named.displayName
      ? `Hallo ${named.displayName},`
      : 'Hallo,'
    : named.displayName
      ? `Hello ${named.displayName},`
      : 'Hello,';
const until = (p: WithLink, ctx: RenderContext) =>
  ctx.language === 'de'
    ? `Der Link gilt einmal und bis ${formatInstant(p.expiresAt, ctx.locale)}.`
    : `The link works once, until ${formatInstant(p.expiresAt, ctx.locale)}.`;
const notYou = (ctx: RenderContext) =>
  ctx.language === 'de'
    ? 'Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren.'
    : 'If this was not you, you can ignore this mail.';
const shortId = (orderId: string) => orderId.slice(-8).toUpperCase();

function orderTable(p: TemplatePayloads['receipt'], ctx: RenderContext, de: boolean): Block {
  return {
    kind: 'table',
    head: de ? ['Artikel', 'Menge', 'Preis', 'Summe'] : ['Item', 'Qty', 'Price', 'Amount'],
    rows: p.items.map((line) => [
      line.name,
      String(line.quantity),
      formatMoney(line.unitPrice, ctx.locale),
      formatMoney(multiplyMoney(line.unitPrice, line.quantity), ctx.locale),
    ]),
    foot: [[de ? 'Gesamt' : 'Total', '', '', formatMoney(p.total, ctx.locale)]],
  };
}

const CANCEL_REASONS = {
  en: {
    shopper: 'You cancelled it.',
    staff: 'Our team cancelled it.',
    payment_timeout: 'The payment did not arrive in time.',
  },
  de: {
    shopper: 'Sie haben sie storniert.',
    staff: 'Unser Team hat sie storniert.',
    payment_timeout: 'Die Zahlung ist nicht rechtzeitig eingegangen.',
  },
} as const;

export const TEMPLATES: { [N in TemplateName]: Template<TemplatePayloads[N]> } = {
  welcome: {
    category: 'transactional',
    en: (p, ctx) => ({
      subject: `Welcome to ${ctx.shopName}`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        { kind: 'p', text: 'thank you for signing up. Please confirm your email address:' },
        { kind: 'button', label: 'Confirm my address', href: p.link },
        { kind: 'p', text: until(p, ctx) },
        { kind: 'p', text: notYou(ctx) },
      ],
    }),
    de: (p, ctx) => ({
      subject: `Willkommen bei ${ctx.shopName}`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        { kind: 'p', text: 'danke für Ihre Anmeldung. Bitte bestätigen Sie Ihre E-Mail-Adresse:' },
        { kind: 'button', label: 'Adresse bestätigen', href: p.link },
        { kind: 'p', text: until(p, ctx) },
        { kind: 'p', text: notYou(ctx) },
      ],
    }),
  },
  'verify-email': {
    category: 'transactional',
    en: (p, ctx) => ({
      subject: 'Please confirm your email address',
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        { kind: 'p', text: 'your address is not confirmed yet. Confirm it with this link:' },
        { kind: 'button', label: 'Confirm my address', href: p.link },
        { kind: 'p', text: until(p, ctx) },
      ],
    }),
    de: (p, ctx) => ({
      subject: 'Bitte bestätigen Sie Ihre E-Mail-Adresse',
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: 'Ihre Adresse ist noch nicht bestätigt. Bestätigen Sie sie mit diesem Link:',
        },
        { kind: 'button', label: 'Adresse bestätigen', href: p.link },
        { kind: 'p', text: until(p, ctx) },
      ],
    }),
  },
  'staff-invitation': {
    category: 'transactional',
    en: (p, ctx) => ({
      subject: `You are invited to the ${ctx.shopName} staff`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `you were invited to the ${ctx.shopName} back office as ${p.roles.join(', ')}. Choose your password to accept:`,
        },
        { kind: 'button', label: 'Accept the invitation', href: p.link },
        { kind: 'p', text: until(p, ctx) },
        { kind: 'p', text: 'If you did not expect this, you can ignore this mail.' },
      ],
    }),
    de: (p, ctx) => ({
      subject: `Einladung ins Team von ${ctx.shopName}`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `Sie wurden in den Verwaltungsbereich von ${ctx.shopName} eingeladen, als ${p.roles.join(', ')}. Wählen Sie Ihr Passwort, um die Einladung anzunehmen:`,
        },
        { kind: 'button', label: 'Einladung annehmen', href: p.link },
        { kind: 'p', text: until(p, ctx) },
        {
          kind: 'p',
          text: 'Wenn Sie damit nicht gerechnet haben, können Sie diese E-Mail ignorieren.',
        },
      ],
    }),
  },
  'password-reset': {
    category: 'transactional',
    en: (p, ctx) => ({
      subject: 'Reset your password',
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: 'someone asked to reset the password of your account. Choose a new one here:',
        },
        { kind: 'button', label: 'Choose a new password', href: p.link },
        { kind: 'p', text: `${until(p, ctx)} Setting a new password signs you out everywhere.` },
        { kind: 'p', text: notYou(ctx) },
      ],
    }),
    de: (p, ctx) => ({
      subject: 'Passwort zurücksetzen',
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: 'jemand möchte das Passwort Ihres Kontos zurücksetzen. Wählen Sie hier ein neues:',
        },
        { kind: 'button', label: 'Neues Passwort wählen', href: p.link },
        {
          kind: 'p',
          text: `${until(p, ctx)} Mit dem neuen Passwort werden Sie überall abgemeldet.`,
        },
        { kind: 'p', text: notYou(ctx) },
      ],
    }),
  },
  'email-change-current': {
    category: 'transactional',
    en: (p, ctx) => ({
      subject: 'Confirm the change of your email address',
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `your account is to use ${p.newEmail} from now on. Confirm from this address:`,
        },
        { kind: 'button', label: 'Confirm the change', href: p.link },
        { kind: 'p', text: until(p, ctx) },
        {
          kind: 'p',
          text: 'If this was not you, do not follow the link and change your password.',
        },
      ],
    }),
    de: (p, ctx) => ({
      subject: 'Bestätigen Sie die Änderung Ihrer E-Mail-Adresse',
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `Ihr Konto soll künftig ${p.newEmail} verwenden. Bestätigen Sie von dieser Adresse aus:`,
        },
        { kind: 'button', label: 'Änderung bestätigen', href: p.link },
        { kind: 'p', text: until(p, ctx) },
        {
          kind: 'p',
          text: 'Wenn Sie das nicht waren, folgen Sie dem Link nicht und ändern Sie Ihr Passwort.',
        },
      ],
    }),
  },
  'email-change-new': {
    category: 'transactional',
    en: (p, ctx) => ({
      subject: 'Confirm your new email address',
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `the account of ${p.currentEmail} is to use this address from now on. Confirm it:`,
        },
        { kind: 'button', label: 'Confirm this address', href: p.link },
        { kind: 'p', text: until(p, ctx) },
        { kind: 'p', text: notYou(ctx) },
      ],
    }),
    de: (p, ctx) => ({
      subject: 'Bestätigen Sie Ihre neue E-Mail-Adresse',
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `das Konto von ${p.currentEmail} soll künftig diese Adresse verwenden. Bestätigen Sie sie:`,
        },
        { kind: 'button', label: 'Diese Adresse bestätigen', href: p.link },
        { kind: 'p', text: until(p, ctx) },
        { kind: 'p', text: notYou(ctx) },
      ],
    }),
  },
  'email-changed': {
    category: 'transactional',
    en: (p, ctx) => ({
      subject: 'Your email address was changed',
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `since ${formatInstant(p.changedAt, ctx.locale)} your account uses ${p.email}; mails no longer come here.`,
        },
        { kind: 'p', text: 'If this was not you, contact us at once.' },
      ],
    }),
    de: (p, ctx) => ({
      subject: 'Ihre E-Mail-Adresse wurde geändert',
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `seit ${formatInstant(p.changedAt, ctx.locale)} verwendet Ihr Konto ${p.email}; E-Mails kommen nicht mehr hierher.`,
        },
        { kind: 'p', text: 'Wenn Sie das nicht waren, melden Sie sich bitte sofort bei uns.' },
      ],
    }),
  },
  'session-reuse-alert': {
    category: 'transactional',
    en: (p, ctx) => ({
      subject: 'We signed you out to protect your account',
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `on ${formatInstant(p.detectedAt, ctx.locale)} an old sign-in token of your account was used again, which points to a copy in other hands. We ended that session.`,
        },
        { kind: 'p', text: 'Sign in again; if you did not expect this, change your password.' },
      ],
    }),
    de: (p, ctx) => ({
      subject: 'Wir haben Sie zum Schutz Ihres Kontos abgemeldet',
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `am ${formatInstant(p.detectedAt, ctx.locale)} wurde ein altes Anmelde-Token Ihres Kontos erneut verwendet, was auf eine Kopie in fremden Händen hinweist. Wir haben diese Sitzung beendet.`,
        },
        {
          kind: 'p',
          text: 'Melden Sie sich neu an; wenn Sie das nicht erwartet haben, ändern Sie Ihr Passwort.',
        },
      ],
    }),
  },
  'newsletter-welcome': {
    category: 'marketing',
    en: (p, ctx) => ({
      subject: `News from ${ctx.shopName}: you are on the list`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: 'you agreed to hear about offers and news. One click at the bottom of any such mail ends them.',
        },
      ],
    }),
    de: (p, ctx) => ({
      subject: `Neues von ${ctx.shopName}: Sie sind dabei`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: 'Sie möchten von Angeboten und Neuigkeiten hören. Ein Klick unten in jeder solchen E-Mail beendet das.',
        },
      ],
    }),
  },
  receipt: {
    category: 'transactional',
    en: (p, ctx) => ({
      subject: `Your receipt for order ${shortId(p.orderId)}`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `thank you for your order. We received your payment on ${formatInstant(p.paidAt, ctx.locale)}.`,
        },
        orderTable(p, ctx, false),
        { kind: 'p', text: `Order number: ${p.orderId}` },
      ],
    }),
    de: (p, ctx) => ({
      subject: `Ihre Quittung für Bestellung ${shortId(p.orderId)}`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `danke für Ihre Bestellung. Ihre Zahlung ist am ${formatInstant(p.paidAt, ctx.locale)} eingegangen.`,
        },
        orderTable(p, ctx, true),
        { kind: 'p', text: `Bestellnummer: ${p.orderId}` },
      ],
    }),
  },
  'payment-failed': {
    category: 'transactional',
    en: (p, ctx) => ({
      subject: `The payment for order ${shortId(p.orderId)} did not go through`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: 'your payment was declined; nothing was charged. You can try again with another payment method.',
        },
        ...(p.reason ? [{ kind: 'p' as const, text: `The provider said: ${p.reason}` }] : []),
        { kind: 'p', text: `Order number: ${p.orderId}` },
      ],
    }),
    de: (p, ctx) => ({
      subject: `Die Zahlung für Bestellung ${shortId(p.orderId)} ist fehlgeschlagen`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: 'Ihre Zahlung wurde abgelehnt; es wurde nichts belastet. Sie können es mit einer anderen Zahlungsart erneut versuchen.',
        },
        ...(p.reason
          ? [{ kind: 'p' as const, text: `Der Zahlungsanbieter meldet: ${p.reason}` }]
          : []),
        { kind: 'p', text: `Bestellnummer: ${p.orderId}` },
      ],
    }),
  },
  refund: {
    category: 'transactional',
    en: (p, ctx) => ({
      subject: `We refunded ${formatMoney(p.amount, ctx.locale)} for order ${shortId(p.orderId)}`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `we refunded ${formatMoney(p.amount, ctx.locale)} on ${formatInstant(p.refundedAt, ctx.locale)}. Depending on your bank it shows within a few days.`,
        },
        { kind: 'p', text: `Order number: ${p.orderId}` },
      ],
    }),
    de: (p, ctx) => ({
      subject: `Wir haben ${formatMoney(p.amount, ctx.locale)} für Bestellung ${shortId(p.orderId)} erstattet`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `wir haben am ${formatInstant(p.refundedAt, ctx.locale)} ${formatMoney(p.amount, ctx.locale)} erstattet. Je nach Bank ist der Betrag in einigen Tagen sichtbar.`,
        },
        { kind: 'p', text: `Bestellnummer: ${p.orderId}` },
      ],
    }),
  },
  'order-cancelled': {
    category: 'transactional',
    en: (p, ctx) => ({
      subject: `Order ${shortId(p.orderId)} was cancelled`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `your order was cancelled. ${CANCEL_REASONS.en[p.reason]} Nothing was charged.`,
        },
        { kind: 'p', text: `Order number: ${p.orderId}` },
      ],
    }),
    de: (p, ctx) => ({
      subject: `Bestellung ${shortId(p.orderId)} wurde storniert`,
      blocks: [
        { kind: 'p', text: hello(ctx, p) },
        {
          kind: 'p',
          text: `Ihre Bestellung wurde storniert. ${CANCEL_REASONS.de[p.reason]} Es wurde nichts belastet.`,
        },
        { kind: 'p', text: `Bestellnummer: ${p.orderId}` },
      ],
    }),
  },
};

/**
 * Renders a template in the context's language.
 * @example renderTemplate('receipt', payload, { language: 'de', locale: 'de-DE', shopName: 'Shop' })
 */
export function renderTemplate<N extends TemplateName>(
  name: N,
  payload: TemplatePayloads[N],
  ctx: RenderContext,
): RenderedMessage {
  const template = TEMPLATES[name] as Template<TemplatePayloads[N]>;
  const { subject, blocks } = template[ctx.language](payload, ctx);
  return renderLayout(ctx, subject, blocks);
}

/** Whether a template is transactional or marketing. */
export function categoryOf(name: TemplateName): Category {
  return TEMPLATES[name].category;
}
