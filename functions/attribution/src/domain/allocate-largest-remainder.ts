// Splits an integer amount over non-negative integer weights so the parts sum to it exactly
// (Hamilton's largest-remainder method), in BigInt so no product is ever rounded.

/**
 * Each part is ⌊amount·wᵢ/W⌋; the units left over go one each to the largest remainders
 * amount·wᵢ mod W. Equal remainders: the lower index wins (callers pass touches oldest
 * first, so the earlier touch gets the cent). A zero weight always gets 0. All weights zero:
 * the amount is split as if they were equal.
 * @example allocateLargestRemainder(100, [1n, 1n, 1n]) // [34, 33, 33]
 */
export function allocateLargestRemainder(amount: number, weights: readonly bigint[]): number[] {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RangeError(`The amount ${amount} is not a non-negative safe integer.`);
  }
  if (weights.length === 0) {
    if (amount === 0) return [];
    throw new RangeError('A positive amount needs at least one weight.');
  }
  if (weights.some((weight) => weight < 0n)) throw new RangeError('Weights must not be negative.');
  const effective = weights.every((weight) => weight === 0n) ? weights.map(() => 1n) : weights;
  const total = effective.reduce((sum, weight) => sum + weight, 0n);
  const whole = BigInt(amount);
  const parts = effective.map((weight) => (whole * weight) / total);
  const remainders = effective.map((weight) => (whole * weight) % total);
  let left = Number(whole - parts.reduce((sum, part) => sum + part, 0n));
  const order = remainders
    .map((remainder, index) => ({ remainder, index }))
    .sort((a, b) =>
      a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
    );
  for (const { index } of order) {
    if (left === 0) break;
    parts[index] = (parts[index] as bigint) + 1n;
    left -= 1;
  }
  return parts.map(Number);
}

/** The scale real-valued weights are quantised to before allocation: 2^40 parts. */
export const WEIGHT_SCALE = 2 ** 40;

/**
 * Real weights (time decay, removal effects) as integers of {@link WEIGHT_SCALE} parts of
 * their sum, rounded half up: the same inputs always give the same integers.
 * @example quantizeWeights([0.5, 1]) // [366503875925n, 733007751851n]
 */
export function quantizeWeights(weights: readonly number[]): bigint[] {
  const sum = weights.reduce((total, weight) => total + weight, 0);
  if (!(sum > 0)) return weights.map(() => 0n);
  return weights.map((weight) => BigInt(Math.floor((weight / sum) * WEIGHT_SCALE + 0.5)));
}
