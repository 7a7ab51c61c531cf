// What one consumed event becomes in the log: who did what to which thing, and how it looked
// before and after. Personal data (emails, names) is left out: the log is permanent, and an
// erasure must not have to rewrite it; user ids stay, as pseudonymous references.
import canonicalize from 'canonicalize';
import { leafHash } from './merkle.js';

/** The event attributes and data the mapping reads (the kit's receiver verified both). */
export interface SourceEvent {
  id: string;
  source: string;
  type: string;
  time: string | undefined;
  traceparent: string | undefined;
  data: Record<string, unknown>;
}

/** The part of an entry taken from its event. */
export interface AuditRecord {
  action: string;
  /** The verified staff subject or user id who acted; null for the system (a timeout, a webhook). */
  actor: string | null;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  traceId: string | null;
  occurredAt: string;
}

/** A stored entry: the record plus its place in the log and its source. */
export interface AuditEntry extends AuditRecord {
  index: number;
  source: string;
  eventId: string;
  recordedAt: string;
}

type Data = Record<string, unknown>;
type Mapping = (data: Data) => Omit<AuditRecord, 'action' | 'requestId' | 'traceId'>;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const pick = (data: Data, keys: readonly string[]): Data =>
  Object.fromEntries(keys.filter((key) => key in data).map((key) => [key, data[key]]));
const omit = (data: Data, keys: readonly string[]): Data =>
  Object.fromEntries(Object.entries(data).filter(([key]) => !keys.includes(key)));

const order =
  (actorKey: string | null, atKey: string, keep: readonly string[]): Mapping =>
  (data) => ({
    actor: actorKey ? str(data[actorKey]) : null,
    targetType: 'order',
    targetId: String(data.orderId),
    before: null,
    after: pick(data, keep),
    occurredAt: String(data[atKey]),
  });

/** Per consumed type: actor, target and before/after from the event's data. */
const mappings: Record<string, Mapping> = {
  'shop.offer.created': (d) => ({
    actor: str(d.createdBy),
    targetType: 'product',
    targetId: String(d.productId),
    before: null,
    after: pick(d, ['slug', 'name', 'category', 'price']),
    occurredAt: String(d.createdAt),
  }),
  'shop.offer.price_changed': (d) => ({
    actor: str(d.changedBy),
    targetType: 'product',
    targetId: String(d.productId),
    before: { price: d.previousPrice ?? null },
    after: { price: d.price },
    occurredAt: String(d.changedAt),
  }),
  'shop.offer.archived': (d) => ({
    actor: str(d.archivedBy),
    targetType: 'product',
    targetId: String(d.productId),
    before: { archived: false },
    after: { archived: true, slug: d.slug },
    occurredAt: String(d.archivedAt),
  }),
  'shop.offer.unarchived': (d) => ({
    actor: str(d.unarchivedBy),
    targetType: 'product',
    targetId: String(d.productId),
    before: { archived: true },
    after: { archived: false, slug: d.slug },
    occurredAt: String(d.unarchivedAt),
  }),
  'shop.link.created': (d) => ({
    actor: str(d.createdBy),
    targetType: 'link',
    targetId: String(d.linkId),
    before: null,
    after: pick(d, ['code', 'destinationUrl', 'affiliateId', 'campaign']),
    occurredAt: String(d.createdAt),
  }),
  'shop.link.changed': (d) => ({
    actor: str(d.changedBy),
    targetType: 'link',
    targetId: String(d.linkId),
    before: { codes: d.codes },
    after: { change: d.change, changedFields: d.changedFields, link: d.link },
    occurredAt: String(d.changedAt),
  }),
  'shop.flag.changed': (d) => ({
    actor: str(d.changedBy),
    targetType: 'flag',
    targetId: `${String(d.flagKey)}@${String(d.environment)}`,
    before: null,
    after: omit(d, ['flagKey', 'environment', 'changedBy', 'changedAt']),
    occurredAt: String(d.changedAt),
  }),
  'shop.user.registered': (d) => ({
    actor: str(d.userId),
    targetType: 'user',
    targetId: String(d.userId),
    before: null,
    after: { marketingConsent: d.marketingConsent },
    occurredAt: String(d.registeredAt),
  }),
  'shop.user.logged_in': (d) => ({
    actor: str(d.userId),
    targetType: 'session',
    targetId: String(d.sessionId),
    before: null,
    after: { userId: d.userId },
    occurredAt: String(d.loggedInAt),
  }),
  'shop.auth.refresh_reuse_detected': (d) => ({
    actor: null,
    targetType: 'session',
    targetId: String(d.sessionId),
    before: null,
    after: { userId: d.userId, revokedTokens: d.revokedTokens },
    occurredAt: String(d.detectedAt),
  }),
  'shop.user.erased': (d) => ({
    actor: str(d.requestedBy),
    targetType: 'user',
    targetId: String(d.userId),
    before: null,
    after: { erased: true },
    occurredAt: String(d.erasedAt),
  }),
  'shop.order.created': order('userId', 'createdAt', ['userId', 'items', 'total', 'clickId']),
  'shop.order.paid': order(null, 'paidAt', ['userId', 'paymentId', 'total']),
  'shop.order.payment_failed': order(null, 'failedAt', ['userId', 'paymentId', 'reason']),
  'shop.order.cancelled': order('cancelledBy', 'cancelledAt', ['userId', 'reason']),
  'shop.order.refunded': order(null, 'refundedAt', ['userId', 'paymentId', 'amount']),
  'shop.order.payment_mismatched': order(null, 'detectedAt', [
    'userId',
    'paymentEventType',
    'paymentEventId',
    'paymentId',
    'providerPaymentId',
    'providerRefundId',
    'reasons',
    'expected',
    'received',
    'status',
  ]),
  'shop.payment.succeeded': (d) => ({
    actor: null,
    targetType: 'payment',
    targetId: String(d.paymentId),
    before: null,
    after: pick(d, ['orderId', 'provider', 'providerPaymentId', 'amount']),
    occurredAt: String(d.succeededAt),
  }),
  'shop.payment.refunded': (d) => ({
    actor: null,
    targetType: 'payment',
    targetId: String(d.paymentId),
    before: null,
    after: pick(d, ['orderId', 'provider', 'providerRefundId', 'amount']),
    occurredAt: String(d.refundedAt),
  }),
  'shop.conversion.attributed': (d) => ({
    actor: null,
    targetType: 'conversion',
    targetId: String(d.conversionId),
    before: null,
    after: pick(d, [
      'orderId',
      'paymentId',
      'version',
      'model',
      'revenue',
      'commission',
      'touchpoints',
    ]),
    occurredAt: String(d.attributedAt),
  }),
  'shop.conversion.reversed': (d) => ({
    actor: null,
    targetType: 'conversion',
    targetId: String(d.conversionId),
    before: null,
    after: pick(d, [
      'orderId',
      'paymentId',
      'version',
      'refunded',
      'creditReversed',
      'commissionReversed',
    ]),
    occurredAt: String(d.reversedAt),
  }),
  'shop.notification.sent': (d) => ({
    actor: null,
    targetType: 'notification',
    targetId: String(d.notificationId),
    before: null,
    after: pick(d, ['channel', 'template', 'recipientUserId', 'cause']),
    occurredAt: String(d.sentAt),
  }),
};

/** The event types this mapping knows; events.ts consumes exactly these. */
export const auditedTypes = Object.keys(mappings);

/** The trace id of a W3C traceparent (`00-<trace id>-<span id>-<flags>`), if it is one. */
export function traceIdOf(traceparent: string | undefined): string | null {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent ?? '');
  return match?.[1] && !/^0+$/.test(match[1]) ? match[1] : null;
}

/**
 * The audit record of an event, or throws for a type this log does not know.
 * @example toAuditRecord({ id, source: '/shop/offer', type: 'shop.offer.price_changed', data, … })
 */
export function toAuditRecord(event: SourceEvent): AuditRecord {
  const mapping = mappings[event.type];
  if (!mapping) throw new Error(`audit has no mapping for ${event.type}`);
  const mapped = mapping(event.data);
  const requestId = str(event.data.requestId);
  const occurredAt = new Date(mapped.occurredAt);
  return {
    action: event.type,
    ...mapped,
    // Milliseconds in UTC, as timestamptz keeps them: the leaf rebuilt from the row is the same.
    occurredAt: Number.isNaN(occurredAt.getTime())
      ? new Date(event.time ?? 0).toISOString()
      : occurredAt.toISOString(),
    requestId,
    traceId: traceIdOf(event.traceparent),
  };
}

/**
 * The leaf of an entry: RFC 8785 (JCS) canonical JSON of every stored field, so editing any
 * column, or moving the entry to another index, changes its leaf hash.
 * @example leafDataOf(entry) // '{"action":"shop.offer.price_changed",…}'
 */
export function leafDataOf(entry: AuditEntry): string {
  const text = canonicalize({
    v: 1,
    index: entry.index,
    source: entry.source,
    eventId: entry.eventId,
    action: entry.action,
    actor: entry.actor,
    target: { type: entry.targetType, id: entry.targetId },
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: entry.requestId,
    traceId: entry.traceId,
    occurredAt: entry.occurredAt,
    recordedAt: entry.recordedAt,
  });
  if (text === undefined) throw new Error('an audit entry must be JSON');
  return text;
}

/** SHA-256(0x00 ‖ canonical JSON) of an entry. */
export function entryLeafHash(entry: AuditEntry): Buffer {
  return leafHash(Buffer.from(leafDataOf(entry), 'utf8'));
}
