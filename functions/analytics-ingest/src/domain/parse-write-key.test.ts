import { describe, expect, it } from 'vitest';
import { parseWriteKey } from './parse-write-key.js';

const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

describe('parseWriteKey', () => {
  it('reads the user name of Basic credentials, with or without the colon', () => {
    expect(parseWriteKey(basic('wk_abc:'), undefined)).toBe('wk_abc');
    expect(parseWriteKey(basic('wk_abc'), undefined)).toBe('wk_abc');
  });

  it('falls back to the body writeKey', () => {
    expect(parseWriteKey(undefined, 'wk_body')).toBe('wk_body');
    expect(parseWriteKey('Bearer x', 'wk_body')).toBe('wk_body');
  });

  it.each([basic(':'), basic('with space:'), basic(`${'k'.repeat(201)}:`), 'Basic', 'Basic !!!'])(
    'finds no key in %j',
    (header) => {
      expect(parseWriteKey(header, 42)).toBeUndefined();
    },
  );
});
