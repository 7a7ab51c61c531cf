import { randomFillSync } from 'node:crypto';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** A W3C trace context header pair for the next hop. */
export interface TraceContext {
  traceparent: string;
  /** The incoming `tracestate`, kept only when the incoming `traceparent` was valid. */
  tracestate?: string;
}

/** Random bytes drawn in batches: one `randomFillSync` per 512 span ids, not one per id. */
const pool = Buffer.allocUnsafe(4096);
let poolOffset = pool.length;

function randomHex(bytes: number, zero: string): string {
  let hex = zero;
  while (hex === zero) {
    if (poolOffset + bytes > pool.length) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    hex = pool.toString('hex', poolOffset, poolOffset + bytes);
    poolOffset += bytes;
  }
  return hex;
}

/**
 * The trace context to send upstream: the incoming trace id with a new parent span id when
 * `traceparent` is valid (W3C Trace Context level 1), else a new trace.
 * @example nextTraceContext(req.header('traceparent'), req.header('tracestate')).traceparent
 */
export function nextTraceContext(traceparent?: string, tracestate?: string): TraceContext {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent.trim());
  const spanId = randomHex(8, ZERO_SPAN_ID);
  if (match) {
    const [, version, traceId, parentId, flags, rest] = match;
    // Version ff is invalid; version 00 allows nothing after the flags.
    const validVersion = version !== 'ff' && (version !== '00' || rest === undefined);
    if (validVersion && traceId !== ZERO_TRACE_ID && parentId !== ZERO_SPAN_ID) {
      return {
        traceparent: `00-${traceId}-${spanId}-${flags}`,
        ...(tracestate ? { tracestate } : {}),
      };
    }
  }
  return { traceparent: `00-${randomHex(16, ZERO_TRACE_ID)}-${spanId}-01` };
}
