import { describe, expect, it } from 'vitest';
import { measureJsonDepth } from './measure-json-depth.js';

describe('measureJsonDepth', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(measureJsonDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(measureJsonDepth('{"a":"[[[[{{{\\"[["}')).toBe(1);
    expect(measureJsonDepth('1')).toBe(0);
  });

  it('measures a 100,000-deep array without recursion', () => {
    expect(measureJsonDepth(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBe(100_000);
  });
});
