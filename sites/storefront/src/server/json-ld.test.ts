import { describe, expect, it } from 'vitest';
import { jsonLdText } from './json-ld.js';

describe('jsonLdText', () => {
  it('cannot be closed from inside by a product text (stored XSS through the catalog)', () => {
    const text = jsonLdText({
      name: 'Kettle</script><script>alert(1)</script>',
      description: '<!--',
    });
    expect(text).not.toContain('<');
    expect(JSON.parse(text)).toEqual({
      name: 'Kettle</script><script>alert(1)</script>',
      description: '<!--',
    });
  });

  it('escapes the line separators old parsers treat as line ends', () => {
    expect(jsonLdText({ a: 'x\u2028y\u2029z' })).toBe('{"a":"x\\u2028y\\u2029z"}');
  });
});
