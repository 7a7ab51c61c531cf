// Refunds take credit back in proportion, exact to the minor unit across any number of
// partial refunds.
import { allocateLargestRemainder } from './allocate-largest-remainder.js';
import { commissionFor } from './compute-commission.js';

export interface CreditLine {
  credit: number;
  commission: number;
  rateBasisPoints: number;
}

export interface Reversal {
  /** Per line, in the order given: credit taken back so far (cumulative). */
  creditReversed: number[];
  /** Per line: commission taken back so far (cumulative). */
  commissionReversed: number[];
  /** What was applied: the refunded total, capped at the credited total. */
  refunded: number;
}

/**
 * The cumulative reversal after refunds summing to `totalRefunded`: that amount (at most the
 * credited total) split over the lines by largest remainder in proportion to their credit, and
 * each line's commission on its reversed credit. It depends only on the refunded total, never
 * on how it was split into refunds or the order they came in; a line's reversal never exceeds
 * its credit, and a full refund reverses every credit and commission exactly.
 * @example reverseCredit([{ credit: 60, commission: 6, rateBasisPoints: 1000 }, { credit: 40, commission: 4, rateBasisPoints: 1000 }], 50)
 */
export function reverseCredit(lines: readonly CreditLine[], totalRefunded: number): Reversal {
  const credited = lines.reduce((sum, line) => sum + line.credit, 0);
  const refunded = Math.min(Math.max(0, totalRefunded), credited);
  const creditReversed =
    credited === 0
      ? lines.map(() => 0)
      : allocateLargestRemainder(
          refunded,
          lines.map((line) => BigInt(line.credit)),
        );
  const commissionReversed = lines.map((line, index) =>
    Math.min(line.commission, commissionFor(creditReversed[index] as number, line.rateBasisPoints)),
  );
  return { creditReversed, commissionReversed, refunded };
}
