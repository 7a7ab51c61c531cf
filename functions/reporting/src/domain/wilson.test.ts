import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './wilson.js';

describe('wilsonInterval', () => {
  it('matches the published 95% interval of 10 successes in 100 trials', () => {
    const { low, high } = wilsonInterval(10, 100);
    expect(low).toBeCloseTo(0.05523, 5);
    expect(high).toBeCloseTo(0.17437, 5);
  });

  it('stays inside [0, 1] at the edges, where the normal approximation does not', () => {
    expect(wilsonInterval(0, 10).low).toBe(0);
    expect(wilsonInterval(0, 10).high).toBeCloseTo(0.27753, 5);
    expect(wilsonInterval(10, 10).high).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('refuses counts that are not a sample', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 2)).toThrow(RangeError);
  });
});
