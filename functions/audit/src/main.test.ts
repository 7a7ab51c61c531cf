import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, silentLogger } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from './domain/signed-note.js';
import { audit } from './main.js';
import { parseSigningKey } from './signing-key.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');

describe('the audit settings', () => {
  it('takes the signing key as PKCS#8 base64 or as a JWK, and only an Ed25519 private key', () => {
    expect(parseSigningKey(pkcs8).asymmetricKeyType).toBe('ed25519');
    expect(
      parseSigningKey(JSON.stringify(privateKey.export({ format: 'jwk' }))).asymmetricKeyType,
    ).toBe('ed25519');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(() =>
      parseSigningKey(rsa.export({ format: 'der', type: 'pkcs8' }).toString('base64')),
    ).toThrow(/Ed25519/);
    expect(() => parseSigningKey('not a key')).toThrow(/PKCS#8/);
    expect(() => parseSigningKey(JSON.stringify(publicKey.export({ format: 'jwk' })))).toThrow();
  });

  it('refuses to start on PostgreSQL without a signing key and a checkpoint directory', async () => {
    const start = audit.start({
      env: { DATABASE_URL: 'postgres://audit@127.0.0.1:1/none' },
      port: 0,
      log: silentLogger(),
      handleSignals: false,
    });
    const error = await start.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(
      /AUDIT_SIGNING_KEY[\s\S]*AUDIT_CHECKPOINT_DIR|AUDIT_CHECKPOINT_DIR[\s\S]*AUDIT_SIGNING_KEY/,
    );
  });

  it('publishes checkpoints to AUDIT_CHECKPOINT_DIR, signed with AUDIT_SIGNING_KEY, on shutdown too', async () => {
    const { db, cleanup } = await testDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'audit-checkpoints-'));
    try {
      const running = await audit.start({
        env: {
          AUDIT_SIGNING_KEY: pkcs8,
          AUDIT_CHECKPOINT_DIR: dir,
          AUDIT_LOG_ORIGIN: 'test/audit',
        },
        db,
        port: 0,
        log: silentLogger(),
        handleSignals: false,
      });
      await running.shutdown();
      const files = await readdir(dir);
      expect(files).toEqual(['checkpoint-00000000000000000000']);
      const note = await readFile(join(dir, files[0] as string), 'utf8');
      expect(openCheckpoint(note, 'test/audit', publicKey).size).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await cleanup();
    }
  });
});
