// argon2id password hashes through @node-rs/argon2 (prebuilt, no install script).
import { type Algorithm, hash, verify } from '@node-rs/argon2';

/** argon2id cost parameters. */
export interface Argon2Params {
  /** KiB of memory. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
export const OWASP_ARGON2_PARAMS: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

// `Algorithm` is a const enum, which isolatedModules cannot inline: Argon2id is 2.
const ARGON2ID = 2 as Algorithm;
const PHC_PARAMS = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

export interface PasswordHasher {
  readonly params: Argon2Params;
  hash(password: string): Promise<string>;
  /** False for a wrong password or a hash it cannot read; never throws on bad input. */
  verify(storedHash: string, password: string): Promise<boolean>;
  /** True when the stored hash was made with other parameters (or another algorithm). */
  needsRehash(storedHash: string): boolean;
  /** Burns the time of one verification, for logins of unknown emails. */
  verifyDummy(password: string): Promise<void>;
}

/**
 * Hashes and verifies passwords with argon2id at `params` (default {@link OWASP_ARGON2_PARAMS}).
 * Passwords are NFC-normalized first, so the same text typed on any keyboard matches.
 * @example const hasher = createPasswordHasher(); const stored = await hasher.hash('correct horse battery');
 */
export function createPasswordHasher(params: Argon2Params = OWASP_ARGON2_PARAMS): PasswordHasher {
  const options = { ...params, algorithm: ARGON2ID };
  let dummy: Promise<string> | undefined;
  const hashPassword = (password: string) => hash(password.normalize('NFC'), options);
  return {
    params,
    hash: hashPassword,
    async verify(storedHash, password) {
      try {
        return await verify(storedHash, password.normalize('NFC'));
      } catch {
        return false;
      }
    },
    needsRehash(storedHash) {
      const match = PHC_PARAMS.exec(storedHash);
      if (!match) return true;
      const [, m, t, p] = match;
      return (
        Number(m) !== params.memoryCost ||
        Number(t) !== params.timeCost ||
        Number(p) !== params.parallelism
      );
    },
    async verifyDummy(password) {
      dummy ??= hashPassword(crypto.randomUUID());
      await verify(await dummy, password.normalize('NFC')).catch(() => false);
    },
  };
}
