// flagd's own examples (open-feature/flagd-testbed, gherkin/targeting.feature, the
// high-precision "@fractional-v2" vectors and the hash edge cases) evaluate to the same variants
// here, and the bucketing is checked against an independent MurmurHash3 x86 32 (seed 0).
import { describe, expect, it } from 'vitest';
import { createFlagSnapshot } from './flag-snapshot.js';
import type { FlagDefinition, FlagSetDocument, Json } from './flag-types.js';

const suits = {
  clubs: 'clubs',
  diamonds: 'diamonds',
  hearts: 'hearts',
  spades: 'spades',
  wild: 'wild',
};
const quarter = (seed: Json): { [key: string]: Json } => ({
  fractional: [seed, ['clubs', 25], ['diamonds', 25], ['hearts', 25], ['spades', 25]],
});
const TESTBED: FlagSetDocument = {
  $evaluators: { macrosoft: { in: ['@macrosoft.com', { var: 'email' }] } },
  flags: {
    'fractional-flag': {
      state: 'ENABLED',
      variants: suits,
      defaultVariant: 'wild',
      targeting: quarter({ cat: [{ var: '$flagd.flagKey' }, { var: 'user.name' }] }),
    },
    'fractional-flag-A-shared-seed': {
      state: 'ENABLED',
      variants: suits,
      defaultVariant: 'wild',
      targeting: quarter({ cat: ['shared-seed', { var: 'user.name' }] }),
    },
    'fractional-flag-shorthand': {
      state: 'ENABLED',
      variants: { heads: 'heads', tails: 'tails', draw: 'draw' },
      defaultVariant: 'draw',
      targeting: { fractional: [['heads'], ['tails', 1]] },
    },
    'fractional-hash-edge-flag': {
      state: 'ENABLED',
      variants: { lower: 'lower', upper: 'upper' },
      defaultVariant: 'lower',
      targeting: { fractional: [{ var: 'targetingKey' }, ['lower', 50], ['upper', 50]] },
    },
    'fractional-nested-var-flag': {
      state: 'ENABLED',
      variants: { red: 'red', green: 'green', blue: 'blue', fallback: 'fallback' },
      defaultVariant: 'fallback',
      targeting: { fractional: [{ var: 'targetingKey' }, [{ var: 'color' }, 50], ['blue', 50]] },
    },
    'starts-ends-flag': {
      state: 'ENABLED',
      variants: { prefix: 'prefix', postfix: 'postfix', none: 'none' },
      defaultVariant: 'none',
      targeting: {
        if: [
          { starts_with: [{ var: 'id' }, 'abc'] },
          'prefix',
          { if: [{ ends_with: [{ var: 'id' }, 'xyz'] }, 'postfix', 'none'] },
        ],
      },
    },
    'equal-greater-lesser-version-flag': {
      state: 'ENABLED',
      variants: { equal: 'equal', greater: 'greater', lesser: 'lesser', none: 'none' },
      defaultVariant: 'none',
      targeting: {
        if: [
          { sem_ver: [{ var: 'version' }, '=', '2.0.0'] },
          'equal',
          { sem_ver: [{ var: 'version' }, '>', '2.0.0'] },
          'greater',
          { sem_ver: [{ var: 'version' }, '<', '2.0.0'] },
          'lesser',
          'none',
        ],
      },
    },
    'major-minor-version-flag': {
      state: 'ENABLED',
      variants: { minor: 'minor', major: 'major', none: 'none' },
      defaultVariant: 'none',
      targeting: {
        if: [
          { sem_ver: [{ var: 'version' }, '~', '3.0.0'] },
          'minor',
          { sem_ver: [{ var: 'version' }, '^', '3.0.0'] },
          'major',
          'none',
        ],
      },
    },
    'semver-v-prefix-flag': {
      state: 'ENABLED',
      variants: { match: 'match', 'no-match': 'no-match' },
      defaultVariant: 'no-match',
      targeting: { if: [{ sem_ver: [{ var: 'version' }, '=', 'v1.0.0'] }, 'match', 'no-match'] },
    },
    'semver-partial-version-flag': {
      state: 'ENABLED',
      variants: { match: 'match', 'no-match': 'no-match' },
      defaultVariant: 'no-match',
      targeting: { if: [{ sem_ver: [{ var: 'version' }, '^', '1'] }, 'match', 'no-match'] },
    },
    'some-email-targeted-flag': {
      state: 'ENABLED',
      variants: { hi: 'hi', bye: 'bye' },
      defaultVariant: 'bye',
      targeting: { if: [{ $ref: 'macrosoft' }, 'hi', 'bye'] },
    },
    'flag-key-flag': {
      state: 'ENABLED',
      variants: { mine: 'mine', other: 'other' },
      defaultVariant: 'other',
      targeting: { if: [{ '==': [{ var: '$flagd.flagKey' }, 'flag-key-flag'] }, 'mine', 'other'] },
    },
    'timestamp-flag': {
      state: 'ENABLED',
      variants: { past: -1, future: 1, none: 0 },
      defaultVariant: 'none',
      targeting: {
        if: [
          { '>': [{ var: '$flagd.timestamp' }, { var: 'time' }] },
          'past',
          { '<': [{ var: '$flagd.timestamp' }, { var: 'time' }] },
          'future',
          'none',
        ],
      },
    },
    'no-default-flag': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: null,
      targeting: { if: [{ '==': [{ var: 'tier' }, 'gold'] }, 'on', null] },
    },
    'static-flag': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
    'disabled-flag': {
      state: 'DISABLED',
      variants: { on: true, off: false },
      defaultVariant: 'on',
    },
    'missing-variant-flag': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'on',
      targeting: { if: [true, 'gone', 'off'] },
    },
  },
};
const snapshot = createFlagSnapshot(TESTBED, 1);
const value = (key: string, context: Record<string, unknown>) =>
  (snapshot.evaluate(key, context as never) as { value?: unknown }).value;

describe('flagd evaluation (flagd-testbed vectors)', () => {
  it.each([
    ['jack', 'hearts'],
    ['queen', 'spades'],
    ['ten', 'clubs'],
    ['nine', 'diamonds'],
    ['3', 'clubs'],
  ])('fractional over flag key + user.name: %s → %s', (name, expected) => {
    expect(value('fractional-flag', { user: { name } })).toBe(expected);
  });

  it.each([
    ['seven', 'hearts'],
    ['eight', 'diamonds'],
    ['nine', 'clubs'],
    ['two', 'spades'],
  ])('fractional with a shared seed: %s → %s', (name, expected) => {
    expect(value('fractional-flag-A-shared-seed', { user: { name } })).toBe(expected);
  });

  it('fractional shorthand buckets flag key + targeting key with weight 1 by default', () => {
    expect(value('fractional-flag-shorthand', { targetingKey: 'jon@company.com' })).toBe('heads');
    expect(value('fractional-flag-shorthand', { targetingKey: 'jane@company.com' })).toBe('tails');
  });

  it.each([
    ['ejOoVL', 'lower'],
    ['bY9fO-', 'lower'],
    ['SI7p-', 'lower'],
    ['6LvT0', 'upper'],
    ['ceQdGm', 'upper'],
  ])('hash edge case %s (unsigned 32-bit hash, (hash × total) >> 32) → %s', (key, expected) => {
    expect(value('fractional-hash-edge-flag', { targetingKey: key })).toBe(expected);
  });

  it('resolves nested JsonLogic in a bucket, and a variant that does not exist is an error', () => {
    expect(
      value('fractional-nested-var-flag', { targetingKey: 'jon@company.com', color: 'green' }),
    ).toBe('green');
    expect(value('fractional-nested-var-flag', { targetingKey: 'user1', color: 'red' })).toBe(
      'blue',
    );
    expect(
      snapshot.evaluate('fractional-nested-var-flag', {
        targetingKey: 'jon@company.com',
        color: 'yellow',
      }),
    ).toMatchObject({
      errorCode: 'GENERAL',
    });
  });

  it.each([
    ['abcdef', 'prefix'],
    ['uvwxyz', 'postfix'],
    ['abcxyz', 'prefix'],
    ['lmnopq', 'none'],
    [3, 'none'],
  ])('starts_with / ends_with: %s → %s', (id, expected) => {
    expect(value('starts-ends-flag', { id })).toBe(expected);
  });

  it.each([
    ['equal-greater-lesser-version-flag', '2.0.0', 'equal'],
    ['equal-greater-lesser-version-flag', '2.1.0', 'greater'],
    ['equal-greater-lesser-version-flag', '1.9.0', 'lesser'],
    ['equal-greater-lesser-version-flag', '2.0.0-alpha', 'lesser'],
    ['equal-greater-lesser-version-flag', '2.0.0.0', 'none'],
    ['major-minor-version-flag', '3.0.1', 'minor'],
    ['major-minor-version-flag', '3.1.0', 'major'],
    ['major-minor-version-flag', '4.0.0', 'none'],
    ['semver-v-prefix-flag', 'V1.0.0', 'match'],
    ['semver-v-prefix-flag', '2.0.0', 'no-match'],
    ['semver-partial-version-flag', '1.0', 'match'],
    ['semver-partial-version-flag', 1, 'match'],
    ['semver-partial-version-flag', '2.0.0', 'no-match'],
  ])('sem_ver %s with %s → %s', (key, version, expected) => {
    expect(value(key, { version })).toBe(expected);
  });

  it('reuses $evaluators by $ref, and adds $flagd.flagKey and $flagd.timestamp', () => {
    expect(value('some-email-targeted-flag', { email: 'ballmer@macrosoft.com' })).toBe('hi');
    expect(value('some-email-targeted-flag', { email: 'user@example.com' })).toBe('bye');
    expect(value('flag-key-flag', { $flagd: { flagKey: 'forged' } })).toBe('mine');
    expect(value('timestamp-flag', { time: 1 })).toBe(-1);
    expect(value('timestamp-flag', { time: 4133980802 })).toBe(1);
  });

  it('gives flagd reasons: STATIC, TARGETING_MATCH, DEFAULT, DISABLED without a value, ERROR codes', () => {
    expect(snapshot.evaluate('static-flag', {})).toEqual({
      key: 'static-flag',
      value: true,
      variant: 'on',
      reason: 'STATIC',
      metadata: {},
    });
    expect(snapshot.evaluate('fractional-flag', { user: { name: 'jack' } })).toMatchObject({
      reason: 'TARGETING_MATCH',
      variant: 'hearts',
    });
    expect(snapshot.evaluate('fractional-flag', {})).toMatchObject({ reason: 'TARGETING_MATCH' });
    expect(snapshot.evaluate('fractional-flag-shorthand', {})).toMatchObject({
      reason: 'DEFAULT',
      variant: 'draw',
    });
    expect(snapshot.evaluate('no-default-flag', { tier: 'gold' })).toMatchObject({
      reason: 'TARGETING_MATCH',
      value: true,
    });
    expect(snapshot.evaluate('no-default-flag', {})).toEqual({
      key: 'no-default-flag',
      reason: 'DEFAULT',
      metadata: {},
    });
    expect(snapshot.evaluate('disabled-flag', {})).toEqual({
      key: 'disabled-flag',
      reason: 'DISABLED',
      metadata: {},
    });
    expect(snapshot.evaluate('missing-variant-flag', {})).toMatchObject({ errorCode: 'GENERAL' });
    expect(snapshot.evaluate('nope', {})).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
  });
});

/** MurmurHash3 x86 32-bit of the UTF-8 bytes, written from the algorithm's description. */
function murmur3(text: string, seed = 0): number {
  const bytes = new TextEncoder().encode(text);
  let h = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const blocks = Math.floor(bytes.length / 4);
  for (let i = 0; i < blocks; i += 1) {
    let k =
      (bytes[i * 4] as number) |
      ((bytes[i * 4 + 1] as number) << 8) |
      ((bytes[i * 4 + 2] as number) << 16) |
      ((bytes[i * 4 + 3] as number) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = 0;
    for (let j = rest - 1; j >= 0; j -= 1) k = (k << 8) | (bytes[tail + j] as number);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

describe('fractional bucketing', () => {
  const rollout = (weights: number[]): FlagDefinition => ({
    state: 'ENABLED',
    variants: Object.fromEntries(weights.map((_, i) => [`v${i}`, `v${i}`])),
    defaultVariant: 'v0',
    targeting: { fractional: weights.map((w, i) => [`v${i}`, w]) },
  });

  it('matches MurmurHash3 x86 32 seed 0 and (hash × totalWeight) >> 32 for every user', () => {
    expect(murmur3('')).toBe(0);
    expect(murmur3('hello')).toBe(0x248bfa47);
    const weights = [10, 30, 60];
    const flags = createFlagSnapshot({ flags: { split: rollout(weights) } }, 1);
    for (let i = 0; i < 2_000; i += 1) {
      const user = `user-${i}-é`;
      const bucket = Number((BigInt(murmur3(`split${user}`)) * 100n) >> 32n);
      const expected = bucket < 10 ? 'v0' : bucket < 40 ? 'v1' : 'v2';
      expect(flags.evaluate('split', { targetingKey: user })).toMatchObject({ variant: expected });
    }
  });

  it('hashes a non-ASCII bucketing key as UTF-8 bytes, as flagd (Go) does', () => {
    const flags = createFlagSnapshot({ flags: { split: rollout([50, 50]) } }, 1);
    for (const user of ['josé@shop.test', 'ünal', '用户-1', 'emoji-😀', 'ascii-only']) {
      const bucket = Number((BigInt(murmur3(`split${user}`)) * 2n) >> 32n);
      expect(flags.evaluate('split', { targetingKey: user })).toMatchObject({
        variant: `v${bucket}`,
      });
    }
  });

  it('splits 10,000 synthetic users within ±1 % of the weights, the same after a reload', () => {
    const weights = [10, 25, 65];
    const first = createFlagSnapshot({ flags: { 'new-checkout': rollout(weights) } }, 1);
    const reloaded = createFlagSnapshot({ flags: { 'new-checkout': rollout(weights) } }, 2);
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i += 1) {
      const context = { targetingKey: `synthetic-${i}` };
      const a = first.evaluate('new-checkout', context) as { variant: string };
      const b = reloaded.evaluate('new-checkout', context) as { variant: string };
      expect(b.variant).toBe(a.variant);
      counts.set(a.variant, (counts.get(a.variant) ?? 0) + 1);
    }
    for (const [i, weight] of weights.entries()) {
      expect(Math.abs((counts.get(`v${i}`) ?? 0) / 100 - weight)).toBeLessThanOrEqual(1);
    }
  });
});
