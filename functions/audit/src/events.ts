// The events audit consumes: every catalogued event naming `audit` among its consumers (the
// catalog test keeps the two lists equal). It publishes none: the log is its own output.
import { eventCatalog } from '@shop/eventing';
import { defineEvents } from '@shop/shared';

export const auditedEventTypes = [
  'shop.offer.created',
  'shop.offer.price_changed',
  'shop.offer.archived',
  'shop.offer.unarchived',
  'shop.offer.changed',
  'shop.offer.stock_adjusted',
  'shop.link.created',
  'shop.link.changed',
  'shop.flag.changed',
  'shop.user.registered',
  'shop.user.logged_in',
  'shop.auth.refresh_reuse_detected',
  'shop.auth.key_rotated',
  'shop.analytics_source.created',
  'shop.analytics_source.revoked',
  'shop.user.erased',
  'shop.staff.invited',
  'shop.staff.invitation_accepted',
  'shop.staff.roles_changed',
  'shop.staff.disabled',
  'shop.staff.enabled',
  'shop.user.email_changed',
  'shop.order.created',
  'shop.order.paid',
  'shop.order.payment_failed',
  'shop.order.cancelled',
  'shop.order.refunded',
  'shop.order.payment_mismatched',
  'shop.order.refund_requested',
  'shop.order.review_resolved',
  'shop.payment.succeeded',
  'shop.payment.refunded',
  'shop.conversion.attributed',
  'shop.conversion.reversed',
  'shop.notification.sent',
] as const;

export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'audit',
  publishes: [],
  consumes: auditedEventTypes,
});
