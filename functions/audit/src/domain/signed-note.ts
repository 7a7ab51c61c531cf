// C2SP signed notes (c2sp.org/signed-note) carrying C2SP tlog checkpoints
// (c2sp.org/tlog-checkpoint), signed with Ed25519.
import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/** Ed25519's signature type byte in a signed note's key hash and verifier key. */
const ED25519 = 0x01;
const DASH = '\u2014';

/** A tree head: the log's origin, its size and the RFC 6962 root of that size. */
export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
}

/** The 32 raw bytes of an Ed25519 public key. */
function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** A key name of the spec: non-empty, no whitespace, no plus sign. */
export function isKeyName(name: string): boolean {
  return /^[^\s+]+$/u.test(name);
}

/**
 * The signed-note key hash: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
 * @example keyHash('audit.shop.example', publicKey)
 */
export function keyHash(name: string, publicKey: KeyObject): Buffer {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.of(0x0a, ED25519))
    .update(rawPublicKey(publicKey))
    .digest()
    .subarray(0, 4);
}

/**
 * The verifier key others check checkpoints with: `<name>+<hex key hash>+<base64(0x01 ‖ key)>`.
 * @example verifierKey('audit.shop.example', publicKey)
 */
export function verifierKey(name: string, publicKey: KeyObject): string {
  const hash = keyHash(name, publicKey).toString('hex');
  const key = Buffer.concat([Buffer.of(ED25519), rawPublicKey(publicKey)]).toString('base64');
  return `${name}+${hash}+${key}`;
}

/** The checkpoint body: origin, decimal size and base64 root, each line ending in a newline. */
export function checkpointBody(checkpoint: Checkpoint): string {
  return `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.rootHash.toString('base64')}\n`;
}

/**
 * The checkpoint as a signed note: body, a blank line, `— <name> <base64(key hash ‖ signature)>`.
 * @example signCheckpoint({ origin, size, rootHash }, 'audit.shop.example', privateKey)
 */
export function signCheckpoint(
  checkpoint: Checkpoint,
  name: string,
  privateKey: KeyObject,
): string {
  if (!isKeyName(name)) throw new Error('a key name has no spaces or plus signs');
  const body = checkpointBody(checkpoint);
  const signature = sign(null, Buffer.from(body, 'utf8'), privateKey);
  const publicKey = createPublicKey(privateKey);
  const encoded = Buffer.concat([keyHash(name, publicKey), signature]).toString('base64');
  return `${body}\n${DASH} ${name} ${encoded}\n`;
}

/** Why a note was refused. */
export class NoteError extends Error {}

/**
 * Checks a signed checkpoint against one known key: a signature line of that name and key
 * hash must verify over the body; the body must be a well-formed checkpoint.
 * @example const checkpoint = openCheckpoint(note, 'audit.shop.example', publicKey);
 */
export function openCheckpoint(note: string, name: string, publicKey: KeyObject): Checkpoint {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('not a signed note');
  const body = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const expectedHash = keyHash(name, publicKey);
  const verified = lines.some((line) => {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    if (!match || match[1] !== name) return false;
    const raw = Buffer.from(match[2] as string, 'base64');
    if (raw.length !== 4 + 64 || !raw.subarray(0, 4).equals(expectedHash)) return false;
    return verify(null, Buffer.from(body, 'utf8'), publicKey, raw.subarray(4));
  });
  if (!verified) throw new NoteError(`no valid signature by ${name}`);
  const [origin, size, root] = body.slice(0, -1).split('\n');
  if (!origin || !size || !/^(0|[1-9][0-9]*)$/.test(size) || !root) {
    throw new NoteError('not a checkpoint');
  }
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== root) {
    throw new NoteError('the root hash is not 32 bytes of base64');
  }
  return { origin, size: Number(size), rootHash };
}
