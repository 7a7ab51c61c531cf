import { randomBytes } from 'node:crypto';

/** A source of numbers in [0, 1). */
export type Random = () => number;

/**
 * A deterministic generator (mulberry32) for the simulator's chaos decisions, so a test with
 * `SIMULATOR_SEED` sees the same duplicates every run. Without a seed, a random one.
 * @example const random = seededRandom('42'); random() // always the same first number
 */
export function seededRandom(seed?: string): Random {
  let state = seed === undefined ? randomBytes(4).readUInt32LE(0) : hashSeed(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function hashSeed(seed: string): number {
  // FNV-1a: any string (or number) names a seed.
  let hash = 0x811c9dc5;
  for (const char of seed) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A Stripe-looking id (`pi_3Mtw…`): prefix plus 24 base62 characters from crypto randomness.
 * Never from the seeded generator: a restarted simulator must not repeat event ids a receiver
 * has already stored.
 * @example newProviderId('pi') // 'pi_a8Kq…'
 */
export function newProviderId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${id}`;
}
