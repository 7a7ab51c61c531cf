// One Segment call as a client sent it → the data of its catalog event (shop.analytics.<type>):
// identity checked as Segment does (userId and/or anonymousId), the type's required fields,
// the batch's context merged in and `ip` dropped, the timestamp corrected for clock skew,
// the click id and UTM parameters extracted. The catalog schema still checks the result.
import type { ShopEventInput } from '@shop/eventing';
import { correctTimestamp } from './correct-timestamp.js';
import { extractCampaign, extractClickId } from './extract-attribution.js';
import { mergeContext } from './merge-context.js';
import {
  type CallType,
  isJsonObject,
  type JsonObject,
  type RejectionReason,
} from './segment-call.js';

/** The catalog data of each call type. */
export type AnalyticsData = {
  track: ShopEventInput<'shop.analytics.track'>;
  page: ShopEventInput<'shop.analytics.page'>;
  screen: ShopEventInput<'shop.analytics.screen'>;
  identify: ShopEventInput<'shop.analytics.identify'>;
  group: ShopEventInput<'shop.analytics.group'>;
  alias: ShopEventInput<'shop.analytics.alias'>;
};

/** A normalised call of any type. */
export type NormalizedCall = {
  [T in CallType]: { type: T; data: AnalyticsData[T] };
}[CallType];

export type NormalizeResult =
  | { ok: true; call: NormalizedCall }
  | { ok: false; reason: RejectionReason; detail: string };

/** What the whole request contributes to each of its calls. */
export interface CallEnvelope {
  sourceId: string;
  receivedAt: Date;
  /** The batch's `context` (merged under each call's). */
  batchContext?: unknown;
  /** The batch's `sentAt` (a call's own wins). */
  batchSentAt?: unknown;
  /** Query parameter that carries the affiliate click id (`shop_click`). */
  clickIdParam: string;
  /** Makes a messageId for a call that has none. */
  newMessageId: () => string;
}

/** Segment accepts numeric ids; they travel as their decimal text. */
function idOf(value: unknown): string | null | undefined {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function optionalText(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : undefined;
}

function optionalObject(value: unknown): JsonObject | undefined {
  if (value === undefined || value === null) return {};
  return isJsonObject(value) ? value : undefined;
}

function timeText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : '';
}

const reject = (reason: RejectionReason, detail: string): NormalizeResult => ({
  ok: false,
  reason,
  detail,
});

/**
 * Normalises one call of type `type`.
 * @example normalizeCall('track', { event: 'Viewed', anonymousId: 'a1' }, envelope)
 */
export function normalizeCall(type: CallType, raw: JsonObject, env: CallEnvelope): NormalizeResult {
  const anonymousId = idOf(raw.anonymousId);
  const userId = idOf(raw.userId);
  if (anonymousId === undefined || userId === undefined) {
    return reject('invalid', 'userId and anonymousId must be strings or numbers');
  }
  const visitor = anonymousId ?? userId;
  if (visitor === null)
    return reject('no_user_anon_id', 'the call has neither userId nor anonymousId');
  const messageId = raw.messageId === undefined ? env.newMessageId() : idOf(raw.messageId);
  if (!messageId) return reject('invalid', 'messageId must be a non-empty string');

  const times = correctTimestamp({
    originalTimestamp: timeText(raw.originalTimestamp ?? raw.timestamp),
    sentAt: timeText(raw.sentAt ?? env.batchSentAt),
    receivedAt: env.receivedAt,
  });
  if (!times.ok) return reject('invalid_timestamp', `${times.field} is not an ISO-8601 instant`);

  const context = mergeContext(env.batchContext, raw.context);
  const properties = optionalObject(raw.properties);
  if (properties === undefined) return reject('invalid', 'properties must be an object');
  const common = {
    messageId,
    sourceId: env.sourceId,
    visitorKey: `${env.sourceId}:${visitor}`,
    anonymousId,
    userId,
    context,
    clickId: extractClickId(context, properties, env.clickIdParam),
    campaign: extractCampaign(context, properties),
    timestamp: times.timestamp.toISOString(),
    originalTimestamp: times.originalTimestamp?.toISOString() ?? null,
    sentAt: times.sentAt?.toISOString() ?? null,
    receivedAt: env.receivedAt.toISOString(),
  };

  switch (type) {
    case 'track': {
      if (typeof raw.event !== 'string' || raw.event.length === 0) {
        return reject('missing_field', 'a track call needs an event name');
      }
      return { ok: true, call: { type, data: { ...common, event: raw.event, properties } } };
    }
    case 'page':
    case 'screen': {
      const name = optionalText(raw.name);
      const category = optionalText(raw.category);
      if (name === undefined || category === undefined) {
        return reject('invalid', 'name and category must be strings');
      }
      const data = { ...common, name, category, properties };
      return { ok: true, call: type === 'page' ? { type, data } : { type, data } };
    }
    case 'identify': {
      const traits = optionalObject(raw.traits);
      if (traits === undefined) return reject('invalid', 'traits must be an object');
      return { ok: true, call: { type, data: { ...common, traits } } };
    }
    case 'group': {
      const groupId = idOf(raw.groupId);
      if (!groupId) return reject('missing_field', 'a group call needs a groupId');
      const traits = optionalObject(raw.traits);
      if (traits === undefined) return reject('invalid', 'traits must be an object');
      return { ok: true, call: { type, data: { ...common, groupId, traits } } };
    }
    case 'alias': {
      const previousId = idOf(raw.previousId);
      if (!previousId) return reject('missing_field', 'an alias call needs a previousId');
      if (!userId) return reject('missing_field', 'an alias call needs a userId');
      return { ok: true, call: { type, data: { ...common, previousId } } };
    }
  }
}
