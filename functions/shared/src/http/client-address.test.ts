import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { edgeClientAddress, gatewayClientAddress } from './client-address.js';

const PEER = '10.8.0.5';

/** What each helper answers for a request with `forwardedFor`, from the socket peer PEER. */
async function seen(forwardedFor: string | undefined, trustedHops = 1) {
  const app = new Hono();
  app.get('/', (c) =>
    c.json({ edge: edgeClientAddress(c, trustedHops), behind: gatewayClientAddress(c) }),
  );
  const res = await app.request(
    '/',
    { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } },
    { incoming: { socket: { remoteAddress: PEER } } },
  );
  return (await res.json()) as { edge: string; behind: string };
}

describe('edgeClientAddress', () => {
  it('believes only the entry the trusted proxy appended, never what the client wrote before it', async () => {
    expect((await seen('198.51.100.66, 203.0.113.9')).edge).toBe('203.0.113.9');
    expect((await seen('198.51.100.66, 203.0.113.9, 10.0.0.1', 2)).edge).toBe('203.0.113.9');
    expect((await seen('2001:db8::7')).edge).toBe('2001:db8::7');
  });

  it('takes the peer when no proxy is trusted, the request did not pass them, or the entry is no address', async () => {
    expect((await seen('198.51.100.66', 0)).edge).toBe(PEER);
    expect((await seen(undefined)).edge).toBe(PEER);
    expect((await seen('203.0.113.9', 2)).edge).toBe(PEER);
    expect((await seen('not-an-address')).edge).toBe(PEER);
    expect((await seen('203.0.113.9:443')).edge).toBe(PEER);
  });
});

describe('gatewayClientAddress', () => {
  it('takes the address the gateway forwarded, whatever proxies on the way appended', async () => {
    expect((await seen('203.0.113.9')).behind).toBe('203.0.113.9');
    expect((await seen('203.0.113.9, 127.0.0.1, 10.0.0.3')).behind).toBe('203.0.113.9');
  });

  it('takes the peer for a caller that is not the gateway, or an entry that is no address', async () => {
    expect((await seen(undefined)).behind).toBe(PEER);
    expect((await seen('<script>, 203.0.113.9')).behind).toBe(PEER);
  });
});
