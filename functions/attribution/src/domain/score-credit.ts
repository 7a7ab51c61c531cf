// Credit of a sale over its touches, exact to the minor unit.
import { allocateLargestRemainder } from './allocate-largest-remainder.js';
import { modelWeights, type WeightOptions } from './model-weights.js';
import type { Model, Touchpoint } from './touchpoint.js';

export interface ScoredTouch<T extends Touchpoint = Touchpoint> {
  touch: T;
  /** The touch's weight as the model gave it (integer, see model-weights.ts). */
  weight: bigint;
  /** Minor units credited to the touch; the credits of a sale sum to its amount. */
  credit: number;
}

/**
 * Scores `amount` minor units over `touches` under `model`: the touches are sorted oldest first
 * (ties by id), weighted by the model and the amount split by largest remainder (a left-over
 * unit goes to the largest remainder, equal remainders to the older touch). No touches: [].
 * @example scoreCredit('linear', 1000, touches, { purchasedAt }).map((s) => s.credit) // [334, 333, 333]
 */
export function scoreCredit<T extends Touchpoint>(
  model: Model,
  amount: number,
  sortedTouches: readonly T[],
  options: WeightOptions,
): ScoredTouch<T>[] {
  if (sortedTouches.length === 0) return [];
  const weights = modelWeights(model, sortedTouches, options);
  const credits = allocateLargestRemainder(amount, weights);
  return sortedTouches.map((touch, index) => ({
    touch,
    weight: weights[index] as bigint,
    credit: credits[index] as number,
  }));
}
