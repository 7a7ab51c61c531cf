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
  /** The request that started the action (the kit's `requestid` extension). */
  requestId?: string | undefined;
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

/**
 * A mapping from field names: who acted (`actor`, a data field or none), what was acted on
 * (`target`: its type and the field holding its id), when (`at`), and before/after as fields
 * picked from the data or built from it.
 */
function mapped(spec: {
  actor: string | null;
  target: readonly [type: string, idField: string];
  at: string;
  before?: (data: Data) => unknown;
  after: readonly string[] | ((data: Data) => unknown);
}): Mapping {
  const { after } = spec;
  return (data) => ({
    actor: spec.actor ? str(data[spec.actor]) : null,
    targetType: spec.target[0],
    targetId: String(data[spec.target[1]]),
    before: spec.before ? spec.before(data) : null,
    after: typeof after === 'function' ? after(data) : pick(data, after),
    occurredAt: String(data[spec.at]),
  });
}
const product = ['product', 'productId'] as const;
const link = ['link', 'linkId'] as const;
const order = ['order', 'orderId'] as const;
const payment = ['payment', 'paymentId'] as const;
const conversion = ['conversion', 'conversionId'] as const;
const session = ['session', 'sessionId'] as const;
const user = ['user', 'userId'] as const;
const staff = ['staff', 'userId'] as const;

/** Per consumed type: actor, target and before/after from the event's data. */
const mappings: Record<string, Mapping> = {
  'shop.offer.created': mapped({
    actor: 'createdBy',
    target: product,
    at: 'createdAt',
    after: ['slug', 'name', 'category', 'price'],
  }),
  'shop.offer.price_changed': mapped({
    actor: 'changedBy',
    target: product,
    at: 'changedAt',
    before: (d) => ({ price: d.previousPrice ?? null }),
    after: (d) => ({ price: d.price }),
  }),
  'shop.offer.archived': mapped({
    actor: 'archivedBy',
    target: product,
    at: 'archivedAt',
    before: () => ({ archived: false }),
    after: (d) => ({ archived: true, slug: d.slug }),
  }),
  'shop.offer.unarchived': mapped({
    actor: 'unarchivedBy',
    target: product,
    at: 'unarchivedAt',
    before: () => ({ archived: true }),
    after: (d) => ({ archived: false, slug: d.slug }),
  }),
  // A product edit: only the fields that changed, as they were and became.
  'shop.offer.changed': mapped({
    actor: 'changedBy',
    target: product,
    at: 'changedAt',
    before: (d) => d.before ?? null,
    after: (d) => d.after ?? null,
  }),
  'shop.offer.stock_adjusted': mapped({
    actor: 'adjustedBy',
    target: product,
    at: 'adjustedAt',
    before: (d) => ({ stock: d.previousStock }),
    // The reason and note (events before them have neither) go with the count they explain.
    after: (d) => ({
      stock: d.stock,
      ...(d.reason !== undefined && { reason: d.reason }),
      ...(d.note !== undefined && { note: d.note }),
    }),
  }),
  'shop.link.created': mapped({
    actor: 'createdBy',
    target: link,
    at: 'createdAt',
    after: ['code', 'destinationUrl', 'affiliateId', 'campaign'],
  }),
  'shop.link.changed': mapped({
    actor: 'changedBy',
    target: link,
    at: 'changedAt',
    before: (d) => ({ codes: d.codes }),
    after: ['change', 'changedFields', 'link'],
  }),
  // A flag has a value per environment: the target is the flag in that environment.
  'shop.flag.changed': (d) =>
    mapped({
      actor: 'changedBy',
      target: ['flag', 'flagTarget'],
      at: 'changedAt',
      after: (data) =>
        omit(data, ['flagKey', 'environment', 'changedBy', 'changedAt', 'flagTarget']),
    })({ ...d, flagTarget: `${String(d.flagKey)}@${String(d.environment)}` }),
  'shop.user.registered': mapped({
    actor: 'userId',
    target: user,
    at: 'registeredAt',
    after: ['marketingConsent'],
  }),
  'shop.user.logged_in': mapped({
    actor: 'userId',
    target: session,
    at: 'loggedInAt',
    after: ['userId'],
  }),
  'shop.auth.refresh_reuse_detected': mapped({
    actor: null,
    target: session,
    at: 'detectedAt',
    after: ['userId', 'revokedTokens'],
  }),
  // Key ids and the staff member only: the key material never leaves auth.
  'shop.auth.key_rotated': mapped({
    actor: 'rotatedBy',
    target: ['signing_key', 'kid'],
    at: 'rotatedAt',
    before: (d) => ({ currentKid: d.previousKid ?? null }),
    after: (d) => ({ currentKid: d.kid, previousKid: d.previousKid ?? null }),
  }),
  // Analytics write keys: which source got or lost one, by whom; the hint, never the key.
  'shop.analytics_source.created': mapped({
    actor: 'createdBy',
    target: ['analytics_source', 'sourceId'],
    at: 'createdAt',
    after: (d) => ({ name: d.name, site: d.site ?? null, keyHint: d.keyHint, status: 'active' }),
  }),
  'shop.analytics_source.revoked': mapped({
    actor: 'revokedBy',
    target: ['analytics_source', 'sourceId'],
    at: 'revokedAt',
    before: () => ({ status: 'active' }),
    after: (d) => ({ name: d.name, keyHint: d.keyHint, status: 'revoked' }),
  }),
  // Staff management: who changed whose roles or access. The invitation's link (a usable
  // token) and address are left out.
  'shop.staff.invited': mapped({
    actor: 'invitedBy',
    target: staff,
    at: 'invitedAt',
    after: (d) => ({ roles: d.roles, status: 'invited' }),
  }),
  'shop.staff.invitation_accepted': mapped({
    actor: 'userId',
    target: staff,
    at: 'acceptedAt',
    before: () => ({ status: 'invited' }),
    after: (d) => ({ roles: d.roles, status: 'active' }),
  }),
  'shop.staff.roles_changed': mapped({
    actor: 'changedBy',
    target: staff,
    at: 'changedAt',
    before: (d) => ({ roles: d.previousRoles }),
    after: ['roles', 'revokedSessions'],
  }),
  'shop.staff.disabled': mapped({
    actor: 'disabledBy',
    target: staff,
    at: 'disabledAt',
    before: () => ({ disabled: false }),
    after: (d) => ({ disabled: true, revokedSessions: d.revokedSessions }),
  }),
  'shop.staff.enabled': mapped({
    actor: 'enabledBy',
    target: staff,
    at: 'enabledAt',
    before: () => ({ disabled: true }),
    after: () => ({ disabled: false }),
  }),
  'shop.user.erased': mapped({
    actor: 'requestedBy',
    target: user,
    at: 'erasedAt',
    after: () => ({ erased: true }),
  }),
  // A takeover often starts with the address: the change is logged, the addresses are not.
  'shop.user.email_changed': mapped({
    actor: 'userId',
    target: user,
    at: 'changedAt',
    after: () => ({ emailChanged: true }),
  }),
  'shop.order.created': mapped({
    actor: 'userId',
    target: order,
    at: 'createdAt',
    after: ['userId', 'items', 'total', 'clickId'],
  }),
  'shop.order.paid': mapped({
    actor: null,
    target: order,
    at: 'paidAt',
    after: ['userId', 'paymentId', 'total'],
  }),
  'shop.order.payment_failed': mapped({
    actor: null,
    target: order,
    at: 'failedAt',
    after: ['userId', 'paymentId', 'reason'],
  }),
  'shop.order.cancelled': mapped({
    actor: 'cancelledBy',
    target: order,
    at: 'cancelledAt',
    after: ['userId', 'reason'],
  }),
  'shop.order.refunded': mapped({
    actor: null,
    target: order,
    at: 'refundedAt',
    after: ['userId', 'paymentId', 'amount'],
  }),
  'shop.order.payment_mismatched': mapped({
    actor: null,
    target: order,
    at: 'detectedAt',
    after: (d) => omit(d, ['orderId', 'detectedAt']),
  }),
  // Staff acting on an order: who asked for which refund, who resolved a payment review.
  'shop.order.refund_requested': mapped({
    actor: 'requestedBy',
    target: order,
    at: 'requestedAt',
    after: ['userId', 'refundRequestId', 'amount', 'reason', 'note'],
  }),
  'shop.order.review_resolved': mapped({
    actor: 'resolvedBy',
    target: order,
    at: 'resolvedAt',
    before: () => ({ status: 'payment_review' }),
    after: ['userId', 'resolution', 'status', 'note'],
  }),
  'shop.payment.succeeded': mapped({
    actor: null,
    target: payment,
    at: 'succeededAt',
    after: ['orderId', 'provider', 'providerPaymentId', 'amount'],
  }),
  'shop.payment.refunded': mapped({
    actor: null,
    target: payment,
    at: 'refundedAt',
    after: ['orderId', 'provider', 'providerRefundId', 'amount'],
  }),
  'shop.conversion.attributed': mapped({
    actor: null,
    target: conversion,
    at: 'attributedAt',
    after: (d) => omit(d, ['conversionId', 'attributedAt']),
  }),
  'shop.conversion.reversed': mapped({
    actor: null,
    target: conversion,
    at: 'reversedAt',
    after: (d) => omit(d, ['conversionId', 'reversedAt']),
  }),
  'shop.notification.sent': mapped({
    actor: null,
    target: ['notification', 'notificationId'],
    at: 'sentAt',
    after: ['channel', 'template', 'recipientUserId', 'cause'],
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
  const requestId = event.requestId ?? null;
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
