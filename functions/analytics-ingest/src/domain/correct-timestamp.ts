// Segment's clock-skew correction: a device's clock may be off, but the difference between
// when it made a call (originalTimestamp) and when it sent the request (sentAt) is measured
// on that same clock, so the server's receivedAt minus that difference is the true time.

/** The instants of one call, as the client sent them (ISO-8601 text) and as the server saw it. */
export interface CallTimes {
  /** The call's `originalTimestamp`, else its `timestamp`: when it happened on the device. */
  originalTimestamp: string | undefined;
  /** The call's `sentAt`, else the batch's. */
  sentAt: string | undefined;
  receivedAt: Date;
}

/** The corrected time, or the reason it cannot be worked out. */
export type CorrectedTimes =
  | { ok: true; timestamp: Date; originalTimestamp: Date | null; sentAt: Date | null }
  | { ok: false; field: 'timestamp' | 'sentAt' };

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const EARLIEST = Date.UTC(1, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function instant(value: string | undefined): Date | null | undefined {
  if (value === undefined) return null;
  if (!ISO_INSTANT.test(value)) return undefined;
  const at = new Date(value);
  const ms = at.getTime();
  return Number.isNaN(ms) || ms < EARLIEST || ms > LATEST ? undefined : at;
}

/**
 * `timestamp` = receivedAt − (sentAt − originalTimestamp) when both are known; else the
 * original timestamp; else receivedAt.
 * @example correctTimestamp({ originalTimestamp: '2026-01-01T10:00:00Z', sentAt: '2026-01-01T10:00:05Z', receivedAt: new Date('2026-01-01T09:00:05Z') }) // timestamp 09:00:00Z
 */
export function correctTimestamp(times: CallTimes): CorrectedTimes {
  const original = instant(times.originalTimestamp);
  if (original === undefined) return { ok: false, field: 'timestamp' };
  const sentAt = instant(times.sentAt);
  if (sentAt === undefined) return { ok: false, field: 'sentAt' };
  const received = times.receivedAt.getTime();
  const corrected =
    original && sentAt
      ? received - (sentAt.getTime() - original.getTime())
      : (original?.getTime() ?? received);
  if (corrected < EARLIEST || corrected > LATEST) return { ok: false, field: 'timestamp' };
  return { ok: true, timestamp: new Date(corrected), originalTimestamp: original, sentAt };
}
