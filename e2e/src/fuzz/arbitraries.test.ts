import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeLoose,
  isSendableHeader,
  mutate,
  type SchemaContext,
  valueFor,
} from './arbitraries.js';

const ctx: SchemaContext = { resolve: () => undefined, uuids: [], words: [] };

describe('the fuzzer’s generators', () => {
  it('make values that fit simple schemas', () => {
    const schema = {
      type: 'object',
      properties: {
        quantity: { type: 'integer', minimum: 1, maximum: 99 },
        status: { enum: ['paid', 'refunded'] },
      },
      required: ['quantity', 'status'],
    };
    for (const value of fc.sample(valueFor(schema, ctx), 50) as {
      quantity: number;
      status: string;
    }[]) {
      expect(value.quantity).toBeGreaterThanOrEqual(1);
      expect(value.quantity).toBeLessThanOrEqual(99);
      expect(['paid', 'refunded']).toContain(value.status);
    }
  });

  it('mutate one node: replace, delete, add a field or wrap, without touching the original', () => {
    const original = { a: { b: 1 }, c: [2] };
    expect(mutate(original, { at: 2, kind: 'replace', edge: '\u0000' })).toEqual({
      a: { b: '\u0000' },
      c: [2],
    });
    expect(mutate(original, { at: 1, kind: 'delete', edge: null })).toEqual({ c: [2] });
    expect(mutate(original, { at: 0, kind: 'extra', edge: 5 })).toEqual({
      ...original,
      unexpectedField: 5,
    });
    expect(mutate(original, { at: 4, kind: 'wrap', edge: null })).toEqual({
      a: { b: 1 },
      c: [[2]],
    });
    expect(original).toEqual({ a: { b: 1 }, c: [2] });
  });

  it('percent-encode lone surrogates as WTF-8 and tell sendable header values', () => {
    expect(encodeLoose('a\ud800/')).toBe('a%ED%A0%80%2F');
    expect(encodeLoose('🙂')).toBe('%F0%9F%99%82');
    expect(isSendableHeader('W/"1"')).toBe(true);
    expect(isSendableHeader('a\u0000')).toBe(false);
    expect(isSendableHeader('🙂')).toBe(false);
  });
});
