// How the fuzzer delivers a CloudEvent to a function's /events, the way the broker does. Kept in
// one place: when receivers require a sender token, only this helper learns to present one (until
// then a refusal with 401 or 403 is a valid 4xx like any other).
import type { EventMessage } from './event-messages.js';

/**
 * POSTs `message` to `${consumerUrl}/events` and answers the response.
 * @example const res = await sendEvent(user.url, { type, headers, body });
 */
export function sendEvent(consumerUrl: string, message: EventMessage): Promise<Response> {
  return fetch(`${consumerUrl}/events`, {
    method: 'POST',
    headers: message.headers,
    body: message.body,
  });
}
