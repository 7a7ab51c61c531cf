import { describe, expect, it } from 'vitest';
import { mergeContext } from './merge-context.js';

describe('mergeContext', () => {
  it('merges nested objects with the call winning field by field, and drops ip', () => {
    expect(
      mergeContext(
        { ip: '203.0.113.1', library: { name: 'lib', version: '1' }, locale: 'de' },
        { library: { version: '2' }, page: { path: '/' }, ip: '198.51.100.1' },
      ),
    ).toEqual({ library: { name: 'lib', version: '2' }, locale: 'de', page: { path: '/' } });
  });

  it('treats anything but an object as no context', () => {
    expect(mergeContext('x', [1])).toEqual({});
  });

  it('keeps __proto__ as a key of the result, never its prototype', () => {
    const merged = mergeContext(JSON.parse('{"__proto__":{"admin":true}}'), {});
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect((merged as { admin?: boolean }).admin).toBeUndefined();
  });
});
