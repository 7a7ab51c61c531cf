// One Segment request from write key to Kafka acknowledgement: which source sent it, each
// call normalised or rejected (counted by reason, as Segment does), messageIds already kept
// within the day deduped, each call routed to the main, overflow or historical topic, and the
// answer given only once Kafka acknowledged every record. What Kafka did not take is never
// answered 200: the request gets a 503 and its dedupe claims are released for the retry.
import { createHash } from 'node:crypto';
import { eventCatalog } from '@shop/eventing';
import {
  cloudEventRecord,
  type Logger,
  newId,
  Problem,
  type ProducerRecord,
  producerSource,
} from '@shop/shared';
import { type AnalyticsWriter, KafkaUnavailableError } from './analytics-writer.js';
import { checkCallText } from './domain/check-call-text.js';
import { type AnalyticsTopics, chooseTopic } from './domain/choose-topic.js';
import { type NormalizedCall, normalizeCall } from './domain/normalize-call.js';
import { parseWriteKey } from './domain/parse-write-key.js';
import {
  type CallType,
  isCallType,
  isJsonObject,
  type JsonObject,
  type RejectionReason,
} from './domain/segment-call.js';
import type { HotVisitors } from './hot-visitors.js';
import type { IngestCounter } from './ingest-metrics.js';
import type { ClaimOutcome, MessageDedupe } from './message-dedupe.js';
import type { SourceCounters } from './source-counters.js';
import type { WriteKeys } from './write-keys.js';

const SOURCE = producerSource('analytics-ingest');

/** Segment's limits: 32 KB a call, 500 KB and 2,500 calls a batch. */
export const MAX_CALL_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
export const MAX_BATCH_CALLS = 2_500;

/** Everything one ingest needs; built once at start (see main.ts). */
export interface Ingest {
  writeKeys: WriteKeys;
  dedupe: MessageDedupe;
  writer: AnalyticsWriter;
  hot: HotVisitors;
  counters: SourceCounters;
  counter: IngestCounter;
  topics: AnalyticsTopics;
  clickIdParam: string;
  clock: () => Date;
  log: Logger;
}

/** A rejected call as the answer names it. */
export interface Rejection {
  index: number;
  messageId: string | null;
  reason: RejectionReason;
  detail: string;
}

/** The 200 answer: Segment's `success`, and what became of each call. */
export interface IngestAnswer {
  success: true;
  accepted: number;
  deduped: number;
  rejected: Rejection[];
}

/** A CloudEvent id stable per source and messageId (a UUIDv8 of their SHA-256), so a retry that did reach Kafka is one event to consumers deduping on `source`+`id`. */
export function stableEventId(sourceId: string, messageId: string): string {
  const bytes = createHash('sha256').update(`${sourceId}\n${messageId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function unauthorized(detail: string): Problem {
  return new Problem(
    401,
    detail,
    { type: 'https://shop.example/problems/invalid-write-key', title: 'Invalid write key' },
    { 'www-authenticate': 'Basic realm="analytics", charset="UTF-8"' },
  );
}

function unavailable(error: KafkaUnavailableError): Problem {
  return new Problem(
    503,
    `${error.message}: nothing of this request was kept, send it again.`,
    {
      type: 'https://shop.example/problems/ingest-unavailable',
      title: 'Ingest unavailable',
      retryAfterSeconds: error.retryAfterSeconds,
    },
    { 'retry-after': String(error.retryAfterSeconds) },
  );
}

function messageIdOf(raw: unknown): string | null {
  if (!isJsonObject(raw)) return null;
  const id = raw.messageId;
  return typeof id === 'string' ? id.slice(0, 200) : null;
}

interface Accepted {
  call: NormalizedCall;
}

function recordOf(call: NormalizedCall, traceparent: string | undefined): ProducerRecord {
  const definition = eventCatalog[`shop.analytics.${call.type}`];
  return cloudEventRecord({
    id: stableEventId(call.data.sourceId, call.data.messageId),
    type: definition.type,
    source: SOURCE,
    time: call.data.timestamp,
    dataschema: definition.dataschema,
    partitionKey: call.data.visitorKey,
    data: call.data,
    ...(traceparent && { traceparent }),
  });
}

/**
 * Ingests one request: `type` from the path (`batch` for /v1/batch), `body` the parsed JSON
 * object. Resolves to the 200 answer; throws a Problem (400, 401, 503) otherwise.
 * @example await ingestRequest(ingest, { type: 'track', body, authorization, bytes: 120 })
 */
export async function ingestRequest(
  ingest: Ingest,
  request: {
    type: CallType | 'batch';
    body: JsonObject;
    authorization: string | undefined;
    bytes: number;
    traceparent?: string;
  },
): Promise<IngestAnswer> {
  const { body } = request;
  const writeKey = parseWriteKey(request.authorization, body.writeKey);
  if (!writeKey) {
    throw unauthorized(
      'Send the write key as HTTP Basic credentials (the key as user name) or as writeKey in the body.',
    );
  }
  const sourceId = await ingest.writeKeys.sourceOf(writeKey);
  if (!sourceId) throw unauthorized('The write key is unknown or was revoked.');

  let calls: unknown[];
  if (request.type === 'batch') {
    if (!Array.isArray(body.batch)) {
      throw new Problem(400, 'A batch request needs a batch array of calls.', {
        type: 'https://shop.example/problems/validation',
      });
    }
    if (body.batch.length > MAX_BATCH_CALLS) {
      throw new Problem(400, `A batch holds at most ${MAX_BATCH_CALLS} calls.`, {
        type: 'https://shop.example/problems/batch-too-large',
        calls: body.batch.length,
      });
    }
    calls = body.batch;
  } else {
    calls = [body];
  }

  const receivedAt = ingest.clock();
  const rejected: Rejection[] = [];
  const accepted: Accepted[] = [];
  const seenInRequest = new Set<string>();
  let deduped = 0;
  const dedupedTypes: CallType[] = [];
  const reject = (index: number, raw: unknown, reason: RejectionReason, detail: string) => {
    rejected.push({ index, messageId: messageIdOf(raw), reason, detail });
  };
  const rejectedTypes = new Map<CallType | 'unknown', number>();

  const countRejected = (type: CallType | 'unknown') =>
    rejectedTypes.set(type, (rejectedTypes.get(type) ?? 0) + 1);
  for (const [index, raw] of calls.entries()) {
    const type =
      request.type === 'batch' ? (isJsonObject(raw) ? raw.type : undefined) : request.type;
    if (!isJsonObject(raw) || !isCallType(type)) {
      reject(
        index,
        raw,
        'invalid_type',
        'each call must be an object with a type of track, page, screen, identify, group or alias',
      );
      countRejected('unknown');
      continue;
    }
    const bytes = request.type === 'batch' ? Buffer.byteLength(JSON.stringify(raw)) : request.bytes;
    if (bytes > MAX_CALL_BYTES) {
      countRejected(type);
      reject(index, raw, 'too_large', `a call may be at most ${MAX_CALL_BYTES} bytes`);
      continue;
    }
    const result = normalizeCall(type, raw, {
      sourceId,
      receivedAt,
      batchContext: request.type === 'batch' ? body.context : undefined,
      batchSentAt: request.type === 'batch' ? body.sentAt : undefined,
      clickIdParam: ingest.clickIdParam,
      newMessageId: newId,
    });
    const problem = result.ok ? checkCallText(result.call) : result.detail;
    if (!result.ok || problem) {
      countRejected(type);
      reject(index, raw, result.ok ? 'invalid' : result.reason, problem ?? 'invalid call');
      continue;
    }
    // The same messageId twice in one request is one event.
    if (seenInRequest.has(result.call.data.messageId)) {
      deduped += 1;
      dedupedTypes.push(type);
      continue;
    }
    seenInRequest.add(result.call.data.messageId);
    accepted.push({ call: result.call });
  }

  let claims: ClaimOutcome[];
  const ids = accepted.map((a) => a.call.data.messageId);
  try {
    claims = await ingest.dedupe.claim(sourceId, ids);
  } catch (error) {
    // Without the store no retry can be recognised; keeping the events matters more.
    ingest.log.warn({ err: error }, 'messageId dedupe unavailable; events kept without it');
    claims = ids.map(() => 'claimed' as const);
  }
  if (claims.includes('busy')) {
    await ingest.dedupe
      .release(
        sourceId,
        ids.filter((_, i) => claims[i] === 'claimed'),
      )
      .catch(() => {});
    throw unavailable(
      new KafkaUnavailableError('some of these calls are being written by another request', 1),
    );
  }
  const toSend = accepted.filter((_, i) => claims[i] === 'claimed');
  for (const [i, a] of accepted.entries()) {
    if (claims[i] === 'seen') {
      deduped += 1;
      dedupedTypes.push(a.call.type);
    }
  }

  const byTopic = new Map<string, ProducerRecord[]>();
  const routed: { type: CallType; outcome: 'accepted' | 'overflow' | 'historical' }[] = [];
  const now = receivedAt.getTime();
  for (const { call } of toSend) {
    const topic = chooseTopic(ingest.topics, {
      timestamp: new Date(call.data.timestamp),
      receivedAt,
      overRate: ingest.hot.isOverRate(call.data.visitorKey, now),
    });
    const list = byTopic.get(topic) ?? [];
    list.push(recordOf(call, request.traceparent));
    byTopic.set(topic, list);
    routed.push({
      type: call.type,
      outcome:
        topic === ingest.topics.historical
          ? 'historical'
          : topic === ingest.topics.overflow
            ? 'overflow'
            : 'accepted',
    });
  }

  const sentIds = toSend.map((a) => a.call.data.messageId);
  // The claims end with the send, however late: confirmed once Kafka acknowledged (a retry is
  // then answered from the dedupe), released when it did not (the retry is written). While a
  // send answered 503 goes on, its claims stay and a retry is told to come back (busy).
  const settle = async (acknowledged: boolean) => {
    if (acknowledged) {
      await ingest.dedupe.confirm(sourceId, sentIds).catch((error: unknown) => {
        ingest.log.warn({ err: error }, 'kept messageIds not recorded for dedupe');
      });
    } else {
      await ingest.dedupe.release(sourceId, sentIds).catch((error: unknown) => {
        ingest.log.warn({ err: error }, 'dedupe claims not released; they expire in minutes');
      });
    }
  };
  try {
    // Nothing new (all rejected or deduped) needs no Kafka: answered even while it is away.
    if (toSend.length > 0) {
      await ingest.writer.write(
        [...byTopic].map(([topic, records]) => ({ topic, records })),
        request.bytes,
        settle,
      );
    }
  } catch (error) {
    for (const { call } of toSend) ingest.counter(call.type, 'unavailable');
    if (error instanceof KafkaUnavailableError) throw unavailable(error);
    throw error;
  }

  for (const { type, outcome } of routed) ingest.counter(type, outcome);
  for (const type of dedupedTypes) ingest.counter(type, 'deduped');
  for (const [type, n] of rejectedTypes)
    if (type !== 'unknown') ingest.counter(type, 'rejected', n);
  ingest.counters.add(sourceId, 'accepted', toSend.length);
  ingest.counters.add(sourceId, 'deduped', deduped);
  const reasons = new Map<RejectionReason, number>();
  for (const r of rejected) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
  for (const [reason, n] of reasons) ingest.counters.add(sourceId, 'rejected', n, reason);

  return { success: true, accepted: toSend.length, deduped, rejected };
}
