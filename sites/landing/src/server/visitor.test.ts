import { describe, expect, it } from 'vitest';
import { VISITOR_COOKIE, visitorCookie, visitorIdFrom, visitorOf } from './visitor.js';

const ID = '0190f3a2-7b1c-4d4e-8f00-123456789abc';

describe('the visitor id', () => {
  it("is read from the request's cookie and kept", () => {
    expect(visitorOf(`a=1; ${VISITOR_COOKIE}=${ID}; b=2`)).toEqual({ id: ID, isNew: false });
  });

  it('is made new for a first visit, a UUID each time', () => {
    const first = visitorOf(null);
    expect(first.isNew).toBe(true);
    expect(first.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(visitorOf('other=1').id).not.toBe(first.id);
  });

  it('replaces a forged, oversized or upper-case cookie instead of passing it on', () => {
    for (const value of [`${ID}x`, 'x'.repeat(4000), ID.toUpperCase(), `"${ID}"`, '']) {
      expect(visitorIdFrom(`${VISITOR_COOKIE}=${value}`)).toBeUndefined();
      const visitor = visitorOf(`${VISITOR_COOKIE}=${value}`);
      expect(visitor.isNew).toBe(true);
      expect(visitor.id).not.toBe(value);
    }
  });

  it('is set as a __Host- cookie: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', () => {
    const line = visitorCookie(ID, 31_536_000);
    expect(line).toBe(
      `__Host-shop_visitor=${ID}; Path=/; Max-Age=31536000; Secure; HttpOnly; SameSite=Lax`,
    );
    expect(line).not.toMatch(/domain=/i);
  });
});
