import { describe, expect, it } from 'vitest';
import { decodeCursor } from './decode-cursor.js';
import { encodeCursor, fingerprintSearch } from './encode-cursor.js';

const position = {
  createdAt: new Date('2025-03-04T05:06:07.089Z'),
  userId: '01940000-0000-7000-8000-000000000001',
};

describe('decodeCursor', () => {
  it('reads back what encodeCursor wrote for the same search', () => {
    expect(decodeCursor(encodeCursor('ada', position), 'ada')).toEqual({ ok: true, position });
  });

  it('refuses a cursor of another search', () => {
    const decoded = decodeCursor(encodeCursor('ada', position), 'bob');
    expect(decoded).toMatchObject({ ok: false, reason: expect.stringContaining('another search') });
  });

  it('refuses garbage and tampered payloads', () => {
    expect(decodeCursor('not a cursor!', undefined).ok).toBe(false);
    const forged = Buffer.from(
      JSON.stringify({ v: 1, f: 'x', t: "'; DROP TABLE x", i: position.userId }),
    ).toString('base64url');
    expect(decodeCursor(forged, undefined).ok).toBe(false);
    const badId = Buffer.from(
      JSON.stringify({ v: 1, f: 'x', t: '2025-03-04T05:06:07.089Z', i: 'nope' }),
    ).toString('base64url');
    expect(decodeCursor(badId, undefined).ok).toBe(false);
  });

  it('refuses a time PostgreSQL cannot hold (year 0000) or that does not exist', () => {
    const forged = (t: string) =>
      Buffer.from(
        JSON.stringify({ v: 1, f: fingerprintSearch(undefined), t, i: position.userId }),
      ).toString('base64url');
    for (const t of ['0000-01-01T00:00:00.000Z', '2025-02-30T00:00:00.000Z', '+275760-09-13']) {
      expect(decodeCursor(forged(t), undefined).ok, t).toBe(false);
    }
  });
});
