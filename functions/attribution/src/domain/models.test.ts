// Table tests of every model on published worked examples, and properties every model keeps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateLargestRemainder } from './allocate-largest-remainder.js';
import { removalEffects } from './markov-removal-effect.js';
import { scoreCredit } from './score-credit.js';
import { channelOf, MODELS, sortTouchpoints, type Touchpoint } from './touchpoint.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const purchasedAt = new Date('2026-11-20T12:00:00Z');

const touch = (id: string, ageMs: number, affiliateId: string | null = id): Touchpoint => ({
  id,
  kind: 'click',
  clickId: null,
  linkId: null,
  affiliateId,
  campaign: null,
  touchedAt: new Date(purchasedAt.getTime() - ageMs),
});

// Google Analytics' documented path ("Attribution modeling overview", Google Analytics Help,
// support.google.com/analytics/answer/1662518): a customer clicks a Google Ads ad, returns a
// week later from a social network, the same day through an email campaign, and a few hours
// later directly, and buys. GA's text: linear gives each touch 25 %; position-based 40 % to the
// first (paid search) and the last (direct) and 10 % each to social and email; time decay gives
// the most to the touches nearest the sale and the least to the ad a week before.
const gaPath = sortTouchpoints([
  touch('paid-search', 7 * DAY),
  touch('social', 6 * HOUR),
  touch('email', 3 * HOUR),
  touch('direct', 0),
]);
const credits = (model: (typeof MODELS)[number], amount: number, touches = gaPath) =>
  scoreCredit(model, amount, touches, { purchasedAt }).map((scored) => scored.credit);

describe('the rule-based models on Google Analytics’ worked example (100.00 EUR)', () => {
  it.each([
    ['last_click', [0, 0, 0, 10_000]],
    ['first_click', [10_000, 0, 0, 0]],
    ['linear', [2_500, 2_500, 2_500, 2_500]],
    ['position_based', [4_000, 1_000, 1_000, 4_000]],
  ] as const)('%s gives %j', (model, expected) => {
    expect(credits(model, 10_000)).toEqual(expected);
  });

  it('time decay: the ad a week before weighs half a touch at the sale, the nearest touches get most', () => {
    const [ad, social, email, direct] = credits('time_decay', 10_000) as [
      number,
      number,
      number,
      number,
    ];
    expect(ad + social + email + direct).toBe(10_000);
    expect(ad).toBeLessThan(social);
    expect(social).toBeLessThan(email);
    expect(email).toBeLessThan(direct);
    // Weights 2^(−7/7) = 0.5 and 2^(−h/168): the ad's share is 0.5 / Σ.
    const weights = [0.5, 2 ** (-6 / 168), 2 ** (-3 / 168), 1];
    const sum = weights.reduce((a, b) => a + b, 0);
    expect(Math.abs(ad - (10_000 * 0.5) / sum)).toBeLessThan(1);
  });

  it('time decay, exactly: two touches a half-life apart split 1:2', () => {
    const pair = sortTouchpoints([touch('old', 7 * DAY), touch('new', 0)]);
    expect(credits('time_decay', 10_000, pair)).toEqual([3_333, 6_667]);
    expect(credits('time_decay', 9_999, pair)).toEqual([3_333, 6_666]);
  });

  it('position-based: one touch takes 100 %, two touches 50/50, five touches 40/6.67×3/40', () => {
    expect(credits('position_based', 999, [touch('only', DAY)])).toEqual([999]);
    const two = sortTouchpoints([touch('a', 2 * DAY), touch('b', DAY)]);
    expect(credits('position_based', 1_001, two)).toEqual([501, 500]);
    const five = sortTouchpoints([1, 2, 3, 4, 5].map((n) => touch(`t${n}`, (6 - n) * DAY)));
    // 20 % of 10,000 = 2,000 over three middle touches: 666.67 each, the left-over unit to the
    // largest remainder, equal remainders to the oldest.
    expect(credits('position_based', 10_000, five)).toEqual([4_000, 667, 667, 666, 4_000]);
  });

  it('linear: a cent that does not divide goes to the oldest touches (equal remainders)', () => {
    expect(credits('linear', 10, gaPath.slice(0, 3))).toEqual([4, 3, 3]);
    expect(credits('linear', 1, gaPath)).toEqual([1, 0, 0, 0]);
  });
});

// Sergey Bryl, "Marketing Multi-Channel Attribution model with R (part 1: Markov chain
// concept)", analyzecore.com, 2016: paths C1 > C2 > C3 > conversion, C1 > null, C2 > C3 > null.
// P(conversion) = 1/3; removal effects C1 0.5, C2 1, C3 1; weights 0.2, 0.4, 0.4.
describe('the data-driven model on a published Markov removal-effect example', () => {
  const paths = [
    { channels: ['C1', 'C2', 'C3'], converted: true },
    { channels: ['C1'], converted: false },
    { channels: ['C2', 'C3'], converted: false },
  ];

  it('finds P(conversion) = 1/3 and the published removal effects and weights', () => {
    const result = removalEffects(paths);
    expect(result.conversionProbability).toBeCloseTo(1 / 3, 12);
    expect(result.removalEffects.get('C1')).toBeCloseTo(0.5, 12);
    expect(result.removalEffects.get('C2')).toBeCloseTo(1, 12);
    expect(result.removalEffects.get('C3')).toBeCloseTo(1, 12);
    expect(result.weights.get('C1')).toBeCloseTo(0.2, 12);
    expect(result.weights.get('C2')).toBeCloseTo(0.4, 12);
    expect(result.weights.get('C3')).toBeCloseTo(0.4, 12);
  });

  it('credits a sale over the converting path 20/40/40 to the cent', () => {
    const touches = sortTouchpoints([touch('C1', 3 * DAY), touch('C2', 2 * DAY), touch('C3', DAY)]);
    const { weights } = removalEffects(paths);
    const channelWeights = new Map(
      [...weights].map(([channel, weight]) => [`affiliate:${channel}`, weight]),
    );
    expect(touches.map(channelOf)).toEqual(['affiliate:C1', 'affiliate:C2', 'affiliate:C3']);
    expect(
      scoreCredit('data_driven', 10_000, touches, { purchasedAt, channelWeights }).map(
        (s) => s.credit,
      ),
    ).toEqual([2_000, 4_000, 4_000]);
  });

  it('gives nothing to channels that never lead to a conversion, and no credit without paths', () => {
    const result = removalEffects([
      { channels: ['A'], converted: true },
      { channels: ['B'], converted: false },
    ]);
    expect(result.weights.get('A')).toBeCloseTo(1, 12);
    expect(result.weights.get('B')).toBe(0);
    expect(removalEffects([]).conversionProbability).toBe(0);
  });
});

describe('largest-remainder allocation', () => {
  it('is exact for amounts far beyond what doubles multiply exactly', () => {
    expect(allocateLargestRemainder(1_000_000_000_000, [1n, 1n, 1n])).toEqual([
      333_333_333_334, 333_333_333_333, 333_333_333_333,
    ]);
  });
  it('refuses negative or fractional amounts and negative weights', () => {
    expect(() => allocateLargestRemainder(-1, [1n])).toThrow(RangeError);
    expect(() => allocateLargestRemainder(1.5, [1n])).toThrow(RangeError);
    expect(() => allocateLargestRemainder(1, [-1n])).toThrow(RangeError);
  });
});

const touchesArbitrary = fc
  .array(fc.integer({ min: 0, max: 30 * 24 * 60 }), { minLength: 1, maxLength: 25 })
  .map((ages) =>
    sortTouchpoints(
      ages.map((minutes, index) => touch(`t${index}`, minutes * 60_000, `a${index % 4}`)),
    ),
  );

describe('properties of every model', () => {
  it('credits are non-negative integers summing exactly to the amount', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MODELS),
        fc.integer({ min: 0, max: 1_000_000_000_000 }),
        touchesArbitrary,
        (model, amount, touches) => {
          const channelWeights = new Map([
            ['affiliate:a0', 0.5],
            ['affiliate:a1', 0.3],
            ['affiliate:a2', 0.2],
          ]);
          const result = scoreCredit(model, amount, touches, { purchasedAt, channelWeights });
          expect(result).toHaveLength(touches.length);
          for (const { credit } of result) {
            expect(Number.isSafeInteger(credit)).toBe(true);
            expect(credit).toBeGreaterThanOrEqual(0);
          }
          expect(result.reduce((sum, { credit }) => sum + credit, 0)).toBe(amount);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the order touches are given in changes nothing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MODELS),
        fc.integer({ min: 0, max: 10_000_000 }),
        touchesArbitrary.chain((touches) =>
          fc.tuple(
            fc.constant(touches),
            fc.shuffledSubarray(touches, { minLength: touches.length }),
          ),
        ),
        (model, amount, [touches, shuffled]) => {
          const score = (list: Touchpoint[]) =>
            scoreCredit(model, amount, sortTouchpoints(list), { purchasedAt }).map((s) => [
              s.touch.id,
              s.credit,
            ]);
          expect(score(shuffled)).toEqual(score(touches));
        },
      ),
      { numRuns: 300 },
    );
  });
});
