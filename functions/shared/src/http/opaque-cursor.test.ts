import { describe, expect, it } from 'vitest';
import { cursorFingerprint, decodeOpaqueCursor, encodeOpaqueCursor } from './opaque-cursor.js';

describe('opaque cursors', () => {
  it('round-trips a payload through base64url JSON', () => {
    const payload = { v: 1, f: cursorFingerprint(['newest', null]), k: 1299, i: 'id' };
    const cursor = encodeOpaqueCursor(payload);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeOpaqueCursor(cursor)).toEqual(payload);
  });

  it('refuses what is not exactly the base64url of a JSON object', () => {
    const cursor = encodeOpaqueCursor({ v: 1 });
    expect(decodeOpaqueCursor(`${cursor}=`)).toBeUndefined();
    expect(decodeOpaqueCursor('not a cursor')).toBeUndefined();
    expect(decodeOpaqueCursor(Buffer.from('{oops').toString('base64url'))).toBeUndefined();
    expect(decodeOpaqueCursor(Buffer.from('42').toString('base64url'))).toBeUndefined();
    expect(decodeOpaqueCursor('a'.repeat(1001))).toBeUndefined();
  });

  it('fingerprints the same parts alike and different parts apart, in 16 characters', () => {
    expect(cursorFingerprint(['users', 'ada'])).toBe(cursorFingerprint(['users', 'ada']));
    expect(cursorFingerprint(['users', 'ada'])).not.toBe(cursorFingerprint(['users', null]));
    expect(cursorFingerprint([])).toHaveLength(16);
  });
});
