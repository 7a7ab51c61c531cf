// The request id of the work in progress, kept through awaits (AsyncLocalStorage): set by the
// kit's app for each request and by the event receiver for each handling, read where an event is
// written so the event, and every entry it causes downstream (audit's), names the request that
// started it. Published as the `requestid` CloudEvents extension attribute.
import { AsyncLocalStorage } from 'node:async_hooks';

/** What a request id may hold: short, and nothing that could forge a log line or a header. */
export const REQUEST_ID_PATTERN = /^[\w\-.:]{1,128}$/;

const current = new AsyncLocalStorage<string>();

/** `value` when it is a well-formed request id, else undefined. */
export function validRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && REQUEST_ID_PATTERN.test(value) ? value : undefined;
}

/**
 * Runs `work` with `requestId` as the current request id (none: `work` runs as it is).
 * @example await withRequestId(c.get('requestId'), next);
 */
export function withRequestId<T>(requestId: string | undefined, work: () => T): T {
  return requestId === undefined ? work() : current.run(requestId, work);
}

/** The request id of the request or event handling this code runs for, if any. */
export function currentRequestId(): string | undefined {
  return current.getStore();
}
