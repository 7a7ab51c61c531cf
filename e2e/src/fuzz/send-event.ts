// How the fuzzer delivers a CloudEvent to a function's /events, the way the broker does: with
// the dispatcher's OIDC token for that function (the test issuer's, which the platform's
// functions are started to trust). Kept in one place, so a change in how senders prove who they
// are touches only this helper.
import { functionAudience } from '@shop/shared';
import { testEventHeaders } from '@shop/shared/testing';
import type { EventMessage } from './event-messages.js';

/** Where an event goes: a started function, by its Knative Service name. */
export interface EventTarget {
  name: string;
  url: string;
}

/**
 * POSTs `message` to `${target.url}/events` as the broker would, and answers the response.
 * @example const res = await sendEvent({ name: 'user', url: user.url }, { type, headers, body });
 */
export function sendEvent(target: EventTarget, message: EventMessage): Promise<Response> {
  return fetch(`${target.url}/events`, {
    method: 'POST',
    headers: { ...message.headers, ...testEventHeaders(functionAudience(target.name)) },
    body: message.body,
  });
}
