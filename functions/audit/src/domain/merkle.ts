// RFC 6962 §2.1 (and RFC 9162 §2.1) Merkle Tree Hash over leaf hashes, and the audit paths and
// consistency proofs of that tree, computed from the ordered leaf hashes of the log.
import { createHash } from 'node:crypto';

/** SHA-256 output length: every hash here is 32 bytes. */
export const HASH_BYTES = 32;

/**
 * The leaf hash of RFC 6962: SHA-256(0x00 ‖ data).
 * @example leafHash(Buffer.from('{"a":1}'))
 */
export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(0)).update(data).digest();
}

/**
 * The interior node hash of RFC 6962: SHA-256(0x01 ‖ left ‖ right).
 * @example nodeHash(leafHash(a), leafHash(b))
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(1)).update(left).update(right).digest();
}

/** The largest power of two smaller than n (n > 1): RFC 6962's split point k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * MTH(D[start:end]) of RFC 6962 over the leaf hashes; the empty tree hashes to SHA-256("").
 * @example treeHead(leaves) // root of the whole log
 */
export function treeHead(leaves: readonly Uint8Array[], start = 0, end = leaves.length): Buffer {
  const n = end - start;
  if (n === 0) return createHash('sha256').digest();
  if (n === 1) return Buffer.from(leaves[start] as Uint8Array);
  const k = splitPoint(n);
  return nodeHash(treeHead(leaves, start, start + k), treeHead(leaves, start + k, end));
}

/**
 * PATH(m, D[0:n]) of RFC 6962 §2.1.1: the audit path of leaf `index` in the tree of the first
 * `size` leaves, from the leaf's sibling up.
 * @example inclusionProof(leaves, 3, 8)
 */
export function inclusionProof(
  leaves: readonly Uint8Array[],
  index: number,
  size: number,
): Buffer[] {
  if (!(size <= leaves.length && index >= 0 && index < size)) {
    throw new RangeError('the index must be below the size, and the size at most the log size');
  }
  const path = (m: number, start: number, end: number): Buffer[] => {
    const n = end - start;
    if (n === 1) return [];
    const k = splitPoint(n);
    return m < k
      ? [...path(m, start, start + k), treeHead(leaves, start + k, end)]
      : [...path(m - k, start + k, end), treeHead(leaves, start, start + k)];
  };
  return path(index, 0, size);
}

/**
 * PROOF(m, D[0:n]) of RFC 6962 §2.1.2: that the tree of the first `from` leaves is a prefix of
 * the tree of the first `to` leaves. Empty when from is 0 or equals to.
 * @example consistencyProof(leaves, 3, 7)
 */
export function consistencyProof(
  leaves: readonly Uint8Array[],
  from: number,
  to: number,
): Buffer[] {
  if (!(to <= leaves.length && from >= 0 && from <= to)) {
    throw new RangeError('from must be at most to, and to at most the log size');
  }
  if (from === 0 || from === to) return [];
  const subproof = (m: number, start: number, end: number, complete: boolean): Buffer[] => {
    const n = end - start;
    if (m === n) return complete ? [] : [treeHead(leaves, start, end)];
    const k = splitPoint(n);
    return m <= k
      ? [...subproof(m, start, start + k, complete), treeHead(leaves, start + k, end)]
      : [...subproof(m - k, start + k, end, false), treeHead(leaves, start, start + k)];
  };
  return subproof(from, 0, to, true);
}
