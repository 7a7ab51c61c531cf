// The Wilson score interval of a binomial proportion (Wilson 1927): unlike the normal
// approximation it stays inside [0, 1] and is sensible for small samples and rates near 0.

/** z for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/**
 * The interval of `successes` out of `trials` at the confidence of `z`.
 * @example wilsonInterval(10, 100) // { low: 0.0552…, high: 0.1744… }
 */
export function wilsonInterval(
  successes: number,
  trials: number,
  z = Z_95,
): { low: number; high: number } {
  if (!Number.isInteger(trials) || trials < 0)
    throw new RangeError('trials must be an integer ≥ 0');
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new RangeError('successes must be an integer from 0 to trials');
  }
  if (trials === 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // At 0 or all successes the bound is exactly 0 or 1; rounding would leave 1e-17 off.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}
