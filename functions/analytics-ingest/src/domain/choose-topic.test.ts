import { describe, expect, it } from 'vitest';
import { chooseTopic } from './choose-topic.js';
import { takeToken } from './take-token.js';

const topics = { main: 'm', overflow: 'o', historical: 'h' };
const receivedAt = new Date('2026-03-01T12:00:00Z');

describe('chooseTopic', () => {
  it('sends calls over a day old to the historical topic, even from a hot visitor', () => {
    const old = new Date(receivedAt.getTime() - 86_400_001);
    expect(chooseTopic(topics, { timestamp: old, receivedAt, overRate: true })).toBe('h');
    const dayOld = new Date(receivedAt.getTime() - 86_400_000);
    expect(chooseTopic(topics, { timestamp: dayOld, receivedAt, overRate: false })).toBe('m');
  });

  it('sends a visitor over its rate to overflow', () => {
    expect(chooseTopic(topics, { timestamp: receivedAt, receivedAt, overRate: true })).toBe('o');
  });
});

describe('takeToken', () => {
  const limits = { ratePerSecond: 100, burst: 1_000 };
  it('allows a burst of 1,000, then 100 a second', () => {
    const bucket = { tokens: 1_000, at: 0 };
    let allowed = 0;
    for (let i = 0; i < 1_200; i++) if (takeToken(bucket, 0, limits)) allowed++;
    expect(allowed).toBe(1_000);
    expect(takeToken(bucket, 5, limits)).toBe(false);
    expect(takeToken(bucket, 10, limits)).toBe(true);
    let later = 0;
    for (let i = 0; i < 200; i++) if (takeToken(bucket, 1_010, limits)) later++;
    expect(later).toBe(100);
  });
});
