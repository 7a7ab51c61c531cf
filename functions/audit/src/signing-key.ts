// The Ed25519 key checkpoints are signed with: AUDIT_SIGNING_KEY, PKCS#8 DER in base64 or a JWK.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * Parses AUDIT_SIGNING_KEY; throws a message fit for a ConfigError when it is not an Ed25519
 * private key.
 * @example parseSigningKey(process.env.AUDIT_SIGNING_KEY)
 */
export function parseSigningKey(value: string): KeyObject {
  let key: KeyObject;
  try {
    const text = value.trim();
    key = text.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(text) as Record<string, string>, format: 'jwk' })
      : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new Error('is neither a PKCS#8 private key in base64 nor a private JWK');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'a secret key'}`);
  }
  return key;
}

/** A fresh Ed25519 key, for the embedded database only (checkpoints then verify for this run). */
export function generateSigningKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}
