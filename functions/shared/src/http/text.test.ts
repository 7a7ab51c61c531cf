import { describe, expect, it } from 'vitest';
import { hasControlCharacter, isCleanText, text } from './text.js';

const reasons = (schema: ReturnType<typeof text>, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
};

describe('text', () => {
  it('trims and accepts ordinary text in any script, emoji and combining marks', () => {
    const name = text({ max: 50 });
    expect(name.parse('  Zoë Quartermain ')).toBe('Zoë Quartermain');
    for (const value of ['שלום עולם', '東京', '👩‍👩‍👧 family', 'e\u0301', '\u202eevil']) {
      expect(name.safeParse(value).success, value).toBe(true);
    }
  });

  it('refuses NUL and every other C0 control character and DEL, naming why', () => {
    const name = text({ max: 50 });
    for (let code = 0; code < 0x20; code++) {
      const value = `a${String.fromCharCode(code)}b`;
      expect(name.safeParse(value).success, `U+${code.toString(16)}`).toBe(false);
    }
    expect(reasons(name, 'a\u007fb')).toEqual([expect.stringMatching(/control characters/)]);
    expect(reasons(name, 'a\u0000b')).toEqual([expect.stringMatching(/control characters/)]);
  });

  it('allows tab and line breaks only in multi-line text', () => {
    const notes = text({ max: 50, multiline: true });
    expect(notes.parse('line one\r\nline\ttwo')).toBe('line one\r\nline\ttwo');
    expect(notes.safeParse('a\u0000b').success).toBe(false);
    expect(notes.safeParse('a\u000bb').success).toBe(false);
    expect(text({ max: 50 }).safeParse('line one\nline two').success).toBe(false);
  });

  it('refuses lone surrogate halves but keeps paired ones', () => {
    const name = text({ max: 50 });
    expect(reasons(name, 'a\ud800b')).toEqual([expect.stringMatching(/well-formed Unicode/)]);
    expect(name.safeParse('\udc00').success).toBe(false);
    expect(name.safeParse('\ud83d\ude42').success).toBe(true);
  });

  it('bounds the length after trimming; min 0 allows empty, trim false keeps spaces', () => {
    expect(text({ max: 3 }).safeParse('abcd').success).toBe(false);
    expect(text({ max: 3 }).safeParse('   ').success).toBe(false);
    expect(text({ max: 3, min: 0 }).parse('  ')).toBe('');
    expect(text({ max: 10, trim: false }).parse(' pw ')).toBe(' pw ');
    expect(text({ max: 3 }).safeParse(42).success).toBe(false);
  });
});

describe('isCleanText / hasControlCharacter', () => {
  it('tell clean text from text a database or a log line cannot take', () => {
    expect(isCleanText('Zoë 🙂')).toBe(true);
    expect(isCleanText('\ud800')).toBe(false);
    expect(isCleanText('a\nb')).toBe(false);
    expect(isCleanText('a\nb', true)).toBe(true);
    expect(hasControlCharacter('\u0085')).toBe(false);
  });
});
