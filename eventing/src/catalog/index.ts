import {
  defineCatalog,
  type EventData,
  type EventInput,
  type EventType,
  eventDefinition,
  eventJsonSchema,
} from '@shop/shared';
import {
  analyticsAlias,
  analyticsGroup,
  analyticsIdentify,
  analyticsPage,
  analyticsScreen,
  analyticsTrack,
} from './events/analytics.js';
import { analyticsSourceCreated, analyticsSourceRevoked } from './events/analytics-source.js';
import { conversionAttributed, conversionReversed } from './events/conversion.js';
import { flagChanged } from './events/flag.js';
import { linkChanged, linkClicked, linkCreated } from './events/link.js';
import { notificationSent } from './events/notification.js';
import {
  offerArchived,
  offerChanged,
  offerCreated,
  offerPriceChanged,
  offerStockAdjusted,
  offerUnarchived,
} from './events/offer.js';
import {
  orderCancelled,
  orderCreated,
  orderPaid,
  orderPaymentFailed,
  orderPaymentMismatched,
  orderRefunded,
  orderRefundRequested,
  orderReviewResolved,
} from './events/order.js';
import { paymentFailed, paymentRefunded, paymentSucceeded } from './events/payment.js';
import {
  staffDisabled,
  staffEnabled,
  staffInvitationAccepted,
  staffInvited,
  staffRolesChanged,
} from './events/staff.js';
import {
  authKeyRotated,
  authRefreshReuseDetected,
  userEmailChanged,
  userEmailChangeRequested,
  userEmailVerificationRequested,
  userErased,
  userLoggedIn,
  userPasswordResetRequested,
  userRegistered,
} from './events/user.js';

/**
 * Every event type that passes the broker: who publishes it, who subscribes, the schema of
 * its data. Pass it to `createPublisher`, `createEventReceiver` and the local broker.
 * @example const events = createPublisher({ sink, source: '/shop/offer', catalog: eventCatalog, log });
 */
export const eventCatalog = defineCatalog(
  offerCreated,
  offerPriceChanged,
  offerArchived,
  offerUnarchived,
  offerChanged,
  offerStockAdjusted,
  userRegistered,
  userLoggedIn,
  authRefreshReuseDetected,
  authKeyRotated,
  userErased,
  orderCreated,
  orderPaid,
  orderPaymentFailed,
  orderCancelled,
  orderRefunded,
  orderPaymentMismatched,
  orderRefundRequested,
  orderReviewResolved,
  paymentSucceeded,
  paymentFailed,
  paymentRefunded,
  linkCreated,
  linkChanged,
  linkClicked,
  analyticsTrack,
  analyticsPage,
  analyticsScreen,
  analyticsIdentify,
  analyticsGroup,
  analyticsAlias,
  analyticsSourceCreated,
  analyticsSourceRevoked,
  conversionAttributed,
  conversionReversed,
  flagChanged,
  notificationSent,
  userEmailVerificationRequested,
  userPasswordResetRequested,
  userEmailChangeRequested,
  userEmailChanged,
  staffInvited,
  staffInvitationAccepted,
  staffRolesChanged,
  staffDisabled,
  staffEnabled,
);

export type ShopEventCatalog = typeof eventCatalog;
/** `'shop.offer.price_changed' | …` */
export type ShopEventType = EventType<ShopEventCatalog>;
/** The `data` of an event type as consumers read it. */
export type ShopEventData<T extends ShopEventType> = EventData<ShopEventCatalog, T>;
/** The `data` of an event type as producers pass it. */
export type ShopEventInput<T extends ShopEventType> = EventInput<ShopEventCatalog, T>;

/**
 * The JSON Schema (draft 2020-12) of an event type's data; its `$id` is the `dataschema`
 * attribute of every event of that type.
 * @example jsonSchemaFor('shop.offer.price_changed').$id // 'https://schemas.shop.example/events/shop.offer.price_changed/v1.json'
 * @throws InvalidEventError for a type the catalog does not know
 */
export function jsonSchemaFor(type: ShopEventType | (string & {})): Record<string, unknown> {
  return eventJsonSchema(eventDefinition(eventCatalog, type));
}

/**
 * Types written straight to the analytics Kafka topics (redirect's clicks, analytics-ingest's
 * Segment calls), never through the broker: their producers need no outbox or SinkBinding.
 * @example writtenStraightToKafka('shop.analytics.page') // true
 */
export function writtenStraightToKafka(type: string): boolean {
  return type === 'shop.link.clicked' || type.startsWith('shop.analytics.');
}

export { renderAsyncApi, renderEventsMarkdown } from './docs.js';
export { createSchemaApp } from './schema-app.js';
