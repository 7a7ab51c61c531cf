// The weight each model gives each touch of a path (oldest first). Rule-based models use
// exact integers; time decay and data-driven weights are real numbers, quantised once.
import { quantizeWeights } from './allocate-largest-remainder.js';
import { channelOf, type Model, type Touchpoint } from './touchpoint.js';

const DAY_MS = 86_400_000;

export interface WeightOptions {
  /** The purchase time: ages for time decay are counted back from it. */
  purchasedAt: Date;
  /** Time decay's half-life in days (default 7: a touch 7 days older weighs half). */
  halfLifeDays?: number;
  /** Data-driven: each channel's share of the removal effects (see markov-removal-effect.ts). */
  channelWeights?: ReadonlyMap<string, number>;
}

/**
 * The integer weights of `touches` (sorted oldest first) under `model`:
 * - last click / first click: 1 for the last / first touch, 0 for the others;
 * - linear: 1 each;
 * - position-based: one touch 1; two 1 and 1; n ≥ 3: 2(n−2) for the first and the last and
 *   1 for each middle touch, i.e. 40 % + 40 % and 20 % spread evenly over the middle;
 * - time decay: 2^(−age/half-life), age = purchase time − touch time (never below 0);
 * - data-driven: the channel's removal-effect share, split evenly over that channel's touches
 *   in the path.
 * @example modelWeights('position_based', fourTouches, { purchasedAt }) // [4n, 1n, 1n, 4n]
 */
export function modelWeights(
  model: Model,
  touches: readonly Pick<Touchpoint, 'touchedAt' | 'affiliateId' | 'campaign' | 'linkId'>[],
  options: WeightOptions,
): bigint[] {
  const n = touches.length;
  if (n === 0) return [];
  switch (model) {
    case 'last_click':
      return touches.map((_, index) => (index === n - 1 ? 1n : 0n));
    case 'first_click':
      return touches.map((_, index) => (index === 0 ? 1n : 0n));
    case 'linear':
      return touches.map(() => 1n);
    case 'position_based': {
      if (n <= 2) return touches.map(() => 1n);
      const end = BigInt(2 * (n - 2));
      return touches.map((_, index) => (index === 0 || index === n - 1 ? end : 1n));
    }
    case 'time_decay': {
      const halfLife = (options.halfLifeDays ?? 7) * DAY_MS;
      const purchase = options.purchasedAt.getTime();
      return quantizeWeights(
        touches.map(
          (touch) => 2 ** (-Math.max(0, purchase - touch.touchedAt.getTime()) / halfLife),
        ),
      );
    }
    case 'data_driven': {
      const channels = touches.map((touch) => channelOf(touch));
      const counts = new Map<string, number>();
      for (const channel of channels) counts.set(channel, (counts.get(channel) ?? 0) + 1);
      return quantizeWeights(
        channels.map(
          (channel) =>
            (options.channelWeights?.get(channel) ?? 0) / (counts.get(channel) as number),
        ),
      );
    }
  }
}
