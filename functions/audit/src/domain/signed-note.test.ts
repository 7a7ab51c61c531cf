import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyHash, NoteError, openCheckpoint, signCheckpoint, verifierKey } from './signed-note.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const NAME = 'shop.example/audit';
const rootHash = createHash('sha256').update('root').digest();
const rawKey = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');

describe('C2SP signed-note checkpoints', () => {
  it('writes origin, size and base64 root, a blank line and an em-dash signature line', () => {
    const note = signCheckpoint({ origin: NAME, size: 42, rootHash }, NAME, privateKey);
    const [body, signatures] = note.split('\n\n');
    expect(`${body}\n`).toBe(`${NAME}\n42\n${rootHash.toString('base64')}\n`);
    const match = /^\u2014 (\S+) (\S+)\n$/u.exec(signatures as string);
    expect(match?.[1]).toBe(NAME);
    const raw = Buffer.from(match?.[2] as string, 'base64');
    // Key hash per c2sp.org/signed-note: SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)[:4].
    const expectedHash = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${NAME}\n`), Buffer.of(1), rawKey]))
      .digest()
      .subarray(0, 4);
    expect(raw.subarray(0, 4)).toEqual(expectedHash);
    expect(keyHash(NAME, publicKey)).toEqual(expectedHash);
    expect(verify(null, Buffer.from(`${body}\n`), publicKey, raw.subarray(4))).toBe(true);
    expect(verifierKey(NAME, publicKey)).toBe(
      `${NAME}+${expectedHash.toString('hex')}+${Buffer.concat([Buffer.of(1), rawKey]).toString('base64')}`,
    );
  });

  it('opens its own notes and refuses an edited body, another key or another name', () => {
    const note = signCheckpoint({ origin: NAME, size: 7, rootHash }, NAME, privateKey);
    expect(openCheckpoint(note, NAME, publicKey)).toEqual({ origin: NAME, size: 7, rootHash });
    expect(() => openCheckpoint(note.replace('\n7\n', '\n8\n'), NAME, publicKey)).toThrow(
      NoteError,
    );
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(() => openCheckpoint(note, NAME, other)).toThrow(NoteError);
    expect(() => openCheckpoint(note, 'other.example/log', publicKey)).toThrow(NoteError);
    expect(() => openCheckpoint('not a note', NAME, publicKey)).toThrow(NoteError);
  });

  it('refuses a key name with spaces or plus signs', () => {
    expect(() => signCheckpoint({ origin: NAME, size: 1, rootHash }, 'a b', privateKey)).toThrow();
    expect(() => signCheckpoint({ origin: NAME, size: 1, rootHash }, 'a+b', privateKey)).toThrow();
  });
});
