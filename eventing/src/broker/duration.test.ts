import { describe, expect, it } from 'vitest';
import { parseIsoDuration } from './duration.js';

describe('parseIsoDuration', () => {
  it.each([
    ['PT1S', 1000],
    ['PT0.05S', 50],
    ['PT0,2S', 200],
    ['PT10M', 600_000],
    ['PT1H30M', 5_400_000],
    ['P1D', 86_400_000],
    ['P1W', 604_800_000],
    ['P1DT2H', 93_600_000],
    ['-PT2S', 2000],
    ['pt1s', 1000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseIsoDuration(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', '1S', 'PT1', 'P1DT', 'PT1.S', 'PT-1S', '10s'])('refuses %j', (text) => {
    expect(parseIsoDuration(text)).toBeUndefined();
  });
});
