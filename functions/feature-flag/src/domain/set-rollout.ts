// A rollout percentage, written in flagd's own terms: a top-level `fractional` over two
// variants, weights percent and 100 - percent, so flagd itself would split users the same way.
import type { FlagDefinition, Json } from './flag-types.js';

/** Which variants a rollout moves users between. */
export interface RolloutVariants {
  /** The variant `percent` of users get (boolean flags: the one whose value is true). */
  variant?: string;
  /** The variant everyone else gets (boolean flags: the one whose value is false). */
  otherVariant?: string;
}

export class RolloutError extends Error {}

/**
 * The definition with its targeting set to a `percent` split.
 * @example setRollout(flag, 10) // targeting: { fractional: [['on', 10], ['off', 90]] }
 */
export function setRollout(
  definition: FlagDefinition,
  percent: number,
  variants: RolloutVariants = {},
): FlagDefinition {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new RolloutError('a rollout percentage is an integer from 0 to 100');
  }
  const current = currentRollout(definition);
  if (definition.targeting && Object.keys(definition.targeting).length > 0 && !current) {
    throw new RolloutError(
      'the flag has targeting rules that are not a plain rollout; change its targeting instead',
    );
  }
  const on = variants.variant ?? current?.variant ?? booleanVariant(definition, true);
  const off = variants.otherVariant ?? current?.otherVariant ?? booleanVariant(definition, false);
  if (!on || !off) {
    throw new RolloutError(
      'name "variant" and "otherVariant": the flag is not a plain on/off flag',
    );
  }
  for (const name of [on, off]) {
    if (!Object.hasOwn(definition.variants, name)) {
      throw new RolloutError(`"${name}" is not one of the flag's variants`);
    }
  }
  if (on === off) throw new RolloutError('"variant" and "otherVariant" must differ');
  return {
    ...definition,
    targeting: {
      fractional: [
        [on, percent],
        [off, 100 - percent],
      ] as Json[],
    },
  };
}

/** The rollout a definition's targeting is, or null when it is something else (or none). */
export function currentRollout(
  definition: FlagDefinition,
): { variant: string; otherVariant: string; percent: number } | null {
  const rule = definition.targeting;
  if (!rule || Object.keys(rule).length !== 1 || !Array.isArray(rule.fractional)) return null;
  const buckets = rule.fractional;
  if (buckets.length !== 2) return null;
  const [a, b] = buckets;
  if (!isBucket(a) || !isBucket(b)) return null;
  const total = a[1] + b[1];
  if (total <= 0) return null;
  return { variant: a[0], otherVariant: b[0], percent: Math.round((100 * a[1]) / total) };
}

/** The share of users the flag is rolled out to, for events: 100 without a rollout. */
export function rolloutPercentOf(definition: FlagDefinition): number {
  return currentRollout(definition)?.percent ?? 100;
}

function isBucket(value: Json | undefined): value is [string, number] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'number' &&
    Number.isInteger(value[1]) &&
    value[1] >= 0
  );
}

function booleanVariant(definition: FlagDefinition, value: boolean): string | undefined {
  return Object.entries(definition.variants).find(([, v]) => v === value)?.[0];
}
