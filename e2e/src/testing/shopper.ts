// What the stories' shoppers type in: the same password for everyone, a shipping address; how
// stories start their functions.

export const PASSWORD = 'correct horse battery staple 42';

export const address = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Way',
  postalCode: '10115',
  city: 'Berlin',
  country: 'DE',
};

/** What a story's client gets back: the status and the JSON body (`{}` when empty). */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * A JSON call to the gateway at `base`, as a shopper's client makes it.
 * @example const me = await callGateway(gateway.url, 'GET', '/api/users/me', { token });
 */
export async function callGateway(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

// Ports for functions others must know the address of before they start (the broker resolves
// its subscribers when it starts).
export { freePort, freePorts } from '@shop/shared/testing';

/** A defined function as a story starts it. */
interface Startable<Options, Running> {
  start(options: Options & { port: number; handleSignals: boolean }): Promise<Running>;
}

/**
 * Starts a function on a free port (or `port`, e.g. one {@link freePort} kept for it) without
 * signal handlers and registers its shutdown first in `cleanups` (so the last started stops
 * first).
 * @example user = await startForStory(cleanups, userFunction, { env: {}, db, log });
 */
export async function startForStory<Options, Running extends { shutdown(): Promise<void> }>(
  cleanups: (() => Promise<unknown> | unknown)[],
  fn: Startable<Options, Running>,
  options: Options,
  port = 0,
): Promise<Running> {
  const running = await fn.start({ ...options, port, handleSignals: false });
  cleanups.unshift(() => running.shutdown());
  return running;
}
