// ES256 signing keys in auth.signing_key: current (signs), previous (still in the JWKS, so tokens
// it signed verify until they expire), retired (kept for the record, never served).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Database, Queryable } from '@shop/shared';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
} from 'jose';

const ALG = 'ES256';
const ENVELOPE_VERSION = 'v1';

/** The key signing new access tokens. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/** Thrown when a stored private key cannot be decrypted with the configured key-encryption key. */
export class KeyDecryptionError extends Error {
  override name = 'KeyDecryptionError';
}

/** AES-256-GCM of `plaintext` under `kek`, bound to `kid`: `v1.<iv>.<ciphertext>.<tag>`. */
export function encryptPrivateJwk(jwk: JWK, kek: Buffer, kid: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(kid));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return [ENVELOPE_VERSION, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The private JWK sealed by {@link encryptPrivateJwk}; throws KeyDecryptionError otherwise. */
export function decryptPrivateJwk(sealed: string, kek: Buffer, kid: string): JWK {
  const [version, iv, ciphertext, tag] = sealed.split('.');
  if (version !== ENVELOPE_VERSION || !iv || !ciphertext || !tag) {
    throw new KeyDecryptionError(`signing key ${kid} has an unknown envelope`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]);
    return JSON.parse(plaintext.toString('utf8')) as JWK;
  } catch (error) {
    throw new KeyDecryptionError(
      `signing key ${kid} does not decrypt with AUTH_KEY_ENCRYPTION_KEY`,
      { cause: error },
    );
  }
}

async function insertNewKey(tx: Queryable, kek: Buffer, now: Date): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  await tx.query(
    `INSERT INTO auth.signing_key (kid, state, public_jwk, private_jwk_encrypted, created_at)
     VALUES ($1, 'current', $2, $3, $4)`,
    [
      kid,
      JSON.stringify({ ...publicJwk, kid, alg: ALG, use: 'sig' }),
      encryptPrivateJwk(privateJwk, kek, kid),
      now,
    ],
  );
  return kid;
}

/**
 * How long a demoted key stays published: the longest access-token lifetime (ACCESS_TOKEN_TTL
 * allows an hour) plus the gateway's JWKS cache (10 minutes) and a minute of clock skew. Until
 * then every token it signed can still be in use, so any number of rotations logs nobody out.
 */
export const KEY_RETENTION_SECONDS = 3600 + 600 + 60;

/** A finished rotation: the new current kid and the one it demoted (null when there was none). */
export interface KeyRotation {
  kid: string;
  previousKid: string | null;
}

/** Runs in the rotation's transaction, e.g. to write its outbox event. */
export type OnKeyRotated = (tx: Queryable, rotation: KeyRotation) => Promise<unknown>;

async function rotateIn(
  tx: Queryable,
  kek: Buffer,
  now: Date,
  retentionSeconds = KEY_RETENTION_SECONDS,
  onRotated?: OnKeyRotated,
): Promise<string> {
  await tx.query(
    `UPDATE auth.signing_key SET state = 'retired', retired_at = $1
      WHERE state = 'previous' AND demoted_at <= $1::timestamptz - make_interval(secs => $2)`,
    [now, retentionSeconds],
  );
  const demoted = await tx.query<{ kid: string }>(
    `UPDATE auth.signing_key SET state = 'previous', demoted_at = $1 WHERE state = 'current'
     RETURNING kid`,
    [now],
  );
  const kid = await insertNewKey(tx, kek, now);
  await onRotated?.(tx, { kid, previousKid: demoted.rows[0]?.kid ?? null });
  return kid;
}

/**
 * Makes a new current signing key and demotes the current one to previous (still published).
 * Previous keys are retired only once every token they signed has expired and left the
 * verifiers' JWKS caches ({@link KEY_RETENTION_SECONDS}). Serialized across instances by an
 * advisory lock.
 * @example const kid = await rotateSigningKey(db, kek);
 */
export function rotateSigningKey(
  db: Database,
  kek: Buffer,
  now: Date = new Date(),
  retentionSeconds = KEY_RETENTION_SECONDS,
  onRotated?: OnKeyRotated,
): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('auth:signing-key'))");
    return rotateIn(tx, kek, now, retentionSeconds, onRotated);
  });
}

/**
 * Makes sure there is a current key this process can use: creates the first one, and when the
 * current one does not decrypt (a dev database kept across a generated key-encryption key) and
 * `rotateUnreadable` is set, rotates past it. Returns the current kid.
 */
export async function ensureSigningKey(
  db: Database,
  kek: Buffer,
  options: { rotateUnreadable?: boolean; now?: Date } = {},
): Promise<{ kid: string; created: boolean }> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('auth:signing-key'))");
    const { rows } = await tx.query<{ kid: string; private_jwk_encrypted: string }>(
      `SELECT kid, private_jwk_encrypted FROM auth.signing_key WHERE state = 'current'`,
    );
    const current = rows[0];
    if (!current) return { kid: await insertNewKey(tx, kek, now), created: true };
    try {
      decryptPrivateJwk(current.private_jwk_encrypted, kek, current.kid);
      return { kid: current.kid, created: false };
    } catch (error) {
      if (!options.rotateUnreadable) throw error;
      return { kid: await rotateIn(tx, kek, now), created: true };
    }
  });
}

/** Reads the keys for signing and for the JWKS, with a short in-process cache. */
export interface SigningKeys {
  /** The current key (creates the first one when there is none). */
  current(): Promise<SigningKey>;
  /** Public keys of the current and previous keys. */
  jwks(): Promise<JSONWebKeySet>;
  /**
   * {@link rotateSigningKey}, then forgets the cache. Returns the new kid; `onRotated` runs in
   * the rotation's transaction (its outbox event commits with the new key or not at all).
   */
  rotate(onRotated?: OnKeyRotated): Promise<string>;
  /** Forgets the cache (another instance rotated). */
  invalidate(): void;
}

/**
 * The signing keys of `db`, decrypted with `kek`. Other instances see a rotation within
 * `cacheMs` (default 10 s); the previous key stays published, so no token stops verifying.
 * @example const keys = createSigningKeys({ db, kek }); const { kid } = await keys.current();
 */
export function createSigningKeys(options: {
  db: Database;
  kek: Buffer;
  cacheMs?: number;
  clock?: () => Date;
}): SigningKeys {
  const { db, kek } = options;
  const cacheMs = options.cacheMs ?? 10_000;
  const clock = options.clock ?? (() => new Date());
  let loaded:
    | { at: number; value: Promise<{ signing: SigningKey; jwks: JSONWebKeySet }> }
    | undefined;

  const load = async () => {
    let { rows } = await db.query<{
      kid: string;
      state: string;
      public_jwk: JWK;
      private_jwk_encrypted: string;
    }>(
      `SELECT kid, state, public_jwk, private_jwk_encrypted FROM auth.signing_key
       WHERE state IN ('current', 'previous') ORDER BY created_at DESC, kid`,
    );
    if (!rows.some((row) => row.state === 'current')) {
      await ensureSigningKey(db, kek, { now: clock() });
      ({ rows } = await db.query(
        `SELECT kid, state, public_jwk, private_jwk_encrypted FROM auth.signing_key
         WHERE state IN ('current', 'previous') ORDER BY created_at DESC, kid`,
      ));
    }
    const current = rows.find((row) => row.state === 'current');
    if (!current) throw new Error('no current signing key');
    const privateJwk = decryptPrivateJwk(current.private_jwk_encrypted, kek, current.kid);
    const privateKey = (await importJWK(privateJwk, ALG)) as CryptoKey;
    return {
      signing: { kid: current.kid, privateKey },
      jwks: { keys: rows.map((row) => row.public_jwk) },
    };
  };
  const get = () => {
    const now = Date.now();
    if (!loaded || now - loaded.at > cacheMs) {
      const value = load();
      loaded = { at: now, value };
      value.catch(() => {
        if (loaded?.value === value) loaded = undefined;
      });
    }
    return loaded.value;
  };

  return {
    current: async () => (await get()).signing,
    jwks: async () => (await get()).jwks,
    async rotate(onRotated) {
      const kid = await rotateSigningKey(db, kek, clock(), KEY_RETENTION_SECONDS, onRotated);
      loaded = undefined;
      return kid;
    },
    invalidate() {
      loaded = undefined;
    },
  };
}
