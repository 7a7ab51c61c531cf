import { describe, expect, it } from 'vitest';
import { formatEtag, parseIfMatch } from './if-match.js';

describe('parseIfMatch', () => {
  it('reads weak, strong and bare version tags', () => {
    expect(parseIfMatch('W/"3"')).toEqual({ kind: 'versions', versions: [3] });
    expect(parseIfMatch('"3"')).toEqual({ kind: 'versions', versions: [3] });
    expect(parseIfMatch(' 3 ')).toEqual({ kind: 'versions', versions: [3] });
  });

  it('reads a list and leaves out tags that name no version', () => {
    expect(parseIfMatch('"abc", W/"7" , "9"')).toEqual({ kind: 'versions', versions: [7, 9] });
    expect(parseIfMatch('"abc"')).toEqual({ kind: 'versions', versions: [] });
  });

  it('tells a missing header and * apart from versions', () => {
    expect(parseIfMatch(undefined)).toEqual({ kind: 'missing' });
    expect(parseIfMatch('  ')).toEqual({ kind: 'missing' });
    expect(parseIfMatch('*')).toEqual({ kind: 'any' });
  });

  it('formats the weak ETag it reads back', () => {
    expect(formatEtag(12)).toBe('W/"12"');
    expect(parseIfMatch(formatEtag(12))).toEqual({ kind: 'versions', versions: [12] });
  });
});
