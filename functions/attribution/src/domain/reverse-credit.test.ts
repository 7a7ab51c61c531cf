import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commissionFor, NO_RATES, rateFor } from './compute-commission.js';
import { reverseCredit } from './reverse-credit.js';

const line = (credit: number, rate: number) => ({
  credit,
  commission: commissionFor(credit, rate),
  rateBasisPoints: rate,
});

describe('reverseCredit', () => {
  it('takes a partial refund back in proportion, and a full refund back exactly', () => {
    const lines = [line(4_000, 1_000), line(1_000, 500), line(1_000, 0), line(4_000, 1_000)];
    expect(reverseCredit(lines, 5_000).creditReversed).toEqual([2_000, 500, 500, 2_000]);
    const full = reverseCredit(lines, 10_000);
    expect(full.creditReversed).toEqual([4_000, 1_000, 1_000, 4_000]);
    expect(full.commissionReversed).toEqual(lines.map((l) => l.commission));
  });

  it('never reverses more than was credited, even when refunds sum past the sale', () => {
    const result = reverseCredit([line(700, 1_000), line(300, 1_000)], 5_000);
    expect(result.refunded).toBe(1_000);
    expect(result.creditReversed).toEqual([700, 300]);
  });

  it('property: several partial refunds, in any order, end where their total leads, never past any credit', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 10_000 })),
          { minLength: 1, maxLength: 12 },
        ),
        fc.array(fc.integer({ min: 0, max: 500_000 }), { minLength: 1, maxLength: 8 }),
        (raw, refunds) => {
          const lines = raw.map(([credit, rate]) => line(credit, rate));
          let running = 0;
          for (const refund of refunds) {
            running += refund;
            const step = reverseCredit(lines, running);
            step.creditReversed.forEach((reversed, index) => {
              expect(reversed).toBeGreaterThanOrEqual(0);
              expect(reversed).toBeLessThanOrEqual(lines[index]?.credit as number);
              expect(step.commissionReversed[index]).toBeLessThanOrEqual(
                lines[index]?.commission as number,
              );
            });
            expect(step.creditReversed.reduce((a, b) => a + b, 0)).toBe(step.refunded);
          }
          const reversedOrder = [...refunds].reverse().reduce((a, b) => a + b, 0);
          expect(reverseCredit(lines, reversedOrder)).toEqual(reverseCredit(lines, running));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('commission', () => {
  it('rounds half up in basis points, and a campaign rate beats an affiliate rate', () => {
    expect(commissionFor(2_857, 1_000)).toBe(286);
    expect(commissionFor(5, 1_000)).toBe(1);
    expect(commissionFor(4, 1_000)).toBe(0);
    const rates = { campaign: new Map([['summer', 1_500]]), affiliate: new Map([['aff', 1_000]]) };
    expect(rateFor({ affiliateId: 'aff', campaign: 'summer' }, rates)).toBe(1_500);
    expect(rateFor({ affiliateId: 'aff', campaign: 'winter' }, rates)).toBe(1_000);
    expect(rateFor({ affiliateId: 'other', campaign: null }, rates)).toBe(0);
    expect(rateFor({ affiliateId: 'aff', campaign: null }, NO_RATES)).toBe(0);
  });
});
