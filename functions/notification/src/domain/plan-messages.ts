// Which messages an event asks for: pure, from the event and what notification knows of its
// user. Every message is an email today; SMS and push have their channels but no event asks
// for them until the shop keeps phone numbers or push subscriptions.
import type { ShopEventData, ShopEventType } from '@shop/eventing';
import type { TemplateName, TemplatePayloads } from '../templates/templates.js';

/** What notification keeps of a user (notification.recipient). */
export interface Recipient {
  userId: string;
  email: string;
  displayName: string | null;
  locale: string | null;
  marketingConsent: boolean;
}

/** One message to store and send. */
export type MessagePlan = {
  [N in TemplateName]: {
    template: N;
    channel: 'email';
    userId: string;
    address: string;
    /** The BCP 47 tag the message is written for; null: the shop default. */
    locale: string | null;
    payload: TemplatePayloads[N];
  };
}[TemplateName];

/** The event types that can ask for a message. */
export const MESSAGE_EVENT_TYPES = [
  'shop.user.registered',
  'shop.user.email_verification_requested',
  'shop.user.password_reset_requested',
  'shop.user.email_change_requested',
  'shop.user.email_changed',
  'shop.auth.refresh_reuse_detected',
  'shop.staff.invited',
  'shop.order.paid',
  'shop.order.payment_failed',
  'shop.order.refunded',
  'shop.order.cancelled',
] as const satisfies readonly ShopEventType[];
export type MessageEventType = (typeof MESSAGE_EVENT_TYPES)[number];

type Planner<T extends MessageEventType> = (
  data: ShopEventData<T>,
  recipient: Recipient | undefined,
) => MessagePlan[];

const toRecipient = (recipient: Recipient | undefined) =>
  recipient
    ? { userId: recipient.userId, address: recipient.email, locale: recipient.locale }
    : undefined;

const PLANNERS: { [T in MessageEventType]: Planner<T> } = {
  'shop.user.registered': (data) =>
    data.marketingConsent
      ? [
          {
            template: 'newsletter-welcome',
            channel: 'email',
            userId: data.userId,
            address: data.email,
            locale: data.locale,
            payload: { displayName: data.displayName },
          },
        ]
      : [],
  'shop.user.email_verification_requested': (data) => [
    {
      template: data.reason === 'signup' ? 'welcome' : 'verify-email',
      channel: 'email',
      userId: data.userId,
      address: data.email,
      locale: data.locale,
      payload: { displayName: data.displayName, link: data.link, expiresAt: data.expiresAt },
    },
  ],
  'shop.user.password_reset_requested': (data) => [
    {
      template: 'password-reset',
      channel: 'email',
      userId: data.userId,
      address: data.email,
      locale: data.locale,
      payload: { displayName: data.displayName, link: data.link, expiresAt: data.expiresAt },
    },
  ],
  'shop.user.email_change_requested': (data) => {
    const common = {
      channel: 'email' as const,
      userId: data.userId,
      address: data.email,
      locale: data.locale,
    };
    const link = { displayName: data.displayName, link: data.link, expiresAt: data.expiresAt };
    return [
      data.addressRole === 'current'
        ? {
            ...common,
            template: 'email-change-current',
            payload: { ...link, newEmail: data.newEmail },
          }
        : {
            ...common,
            template: 'email-change-new',
            payload: { ...link, currentEmail: data.currentEmail },
          },
    ];
  },
  // The old address learns of the change: if it was not its owner's doing, they can react.
  'shop.user.email_changed': (data, recipient) => [
    {
      template: 'email-changed',
      channel: 'email',
      userId: data.userId,
      address: data.previousEmail,
      locale: recipient?.locale ?? null,
      payload: {
        displayName: recipient?.displayName ?? null,
        email: data.email,
        changedAt: data.changedAt,
      },
    },
  ],
  'shop.auth.refresh_reuse_detected': (data, recipient) => {
    const to = toRecipient(recipient);
    if (!to) return [];
    return [
      {
        ...to,
        template: 'session-reuse-alert',
        channel: 'email',
        payload: { displayName: recipient?.displayName ?? null, detectedAt: data.detectedAt },
      },
    ];
  },
  // Sent to the invited address (notification has no recipient for it yet: not a sign-up).
  'shop.staff.invited': (data) => [
    {
      template: 'staff-invitation',
      channel: 'email',
      userId: data.userId,
      address: data.email,
      locale: data.locale,
      payload: {
        displayName: data.displayName,
        link: data.link,
        expiresAt: data.expiresAt,
        roles: data.roles,
      },
    },
  ],
  'shop.order.paid': (data, recipient) => {
    const to = toRecipient(recipient);
    if (!to) return [];
    return [
      {
        ...to,
        template: 'receipt',
        channel: 'email',
        payload: {
          displayName: recipient?.displayName ?? null,
          orderId: data.orderId,
          items: data.items.map((item) => ({
            name: item.name,
            quantity: item.quantity,
            unitPrice: item.unitPrice,
          })),
          total: data.total,
          paidAt: data.paidAt,
        },
      },
    ];
  },
  'shop.order.payment_failed': (data, recipient) => {
    const to = toRecipient(recipient);
    if (!to) return [];
    return [
      {
        ...to,
        template: 'payment-failed',
        channel: 'email',
        payload: {
          displayName: recipient?.displayName ?? null,
          orderId: data.orderId,
          reason: data.reason,
        },
      },
    ];
  },
  'shop.order.refunded': (data, recipient) => {
    const to = toRecipient(recipient);
    if (!to) return [];
    return [
      {
        ...to,
        template: 'refund',
        channel: 'email',
        payload: {
          displayName: recipient?.displayName ?? null,
          orderId: data.orderId,
          amount: data.amount,
          refundedAt: data.refundedAt,
        },
      },
    ];
  },
  'shop.order.cancelled': (data, recipient) => {
    const to = toRecipient(recipient);
    if (!to) return [];
    return [
      {
        ...to,
        template: 'order-cancelled',
        channel: 'email',
        payload: {
          displayName: recipient?.displayName ?? null,
          orderId: data.orderId,
          reason: data.reason,
        },
      },
    ];
  },
};

/**
 * The messages an event asks for. Events that name only a user id (orders, session alerts) are
 * sent to the recipient notification keeps; without one (a guest order, an unknown user) none.
 * @example planMessages('shop.order.paid', event.data, recipient) // [{ template: 'receipt', … }]
 */
export function planMessages<T extends MessageEventType>(
  type: T,
  data: ShopEventData<T>,
  recipient: Recipient | undefined,
): MessagePlan[] {
  return (PLANNERS[type] as Planner<T>)(data, recipient);
}
