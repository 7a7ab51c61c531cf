import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rootFromInclusionProof } from './merkle.js';

// An RFC 6962 tree written out from the definition (MTH and PATH of §2.1), to check the
// browser's proof walk against.
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaf = (data: string) => sha(Buffer.from([0]), Buffer.from(data));
const node = (l: Buffer, r: Buffer) => sha(Buffer.from([1]), l, r);
const split = (n: number) => 2 ** Math.floor(Math.log2(n - 1));
function root(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0] as Buffer;
  const k = split(leaves.length);
  return node(root(leaves.slice(0, k)), root(leaves.slice(k)));
}
function path(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...path(m, leaves.slice(0, k)), root(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), root(leaves.slice(0, k))];
}
const b64 = (b: Buffer) => b.toString('base64');

describe('an inclusion proof checked in the browser', () => {
  it('leads to the root of the tree for every entry of trees of 1 to 17 entries', async () => {
    for (let size = 1; size <= 17; size++) {
      const leaves = Array.from({ length: size }, (_, i) => leaf(`entry ${i}`));
      for (let index = 0; index < size; index++) {
        const proof = path(index, leaves).map(b64);
        expect(await rootFromInclusionProof(index, size, b64(leaves[index] as Buffer), proof)).toBe(
          b64(root(leaves)),
        );
      }
    }
  });

  it('leads elsewhere, or nowhere, for a changed entry or a proof of another shape', async () => {
    const leaves = Array.from({ length: 7 }, (_, i) => leaf(`entry ${i}`));
    const proof = path(3, leaves).map(b64);
    const good = b64(root(leaves));
    expect(await rootFromInclusionProof(3, 7, b64(leaf('entry 3, edited')), proof)).not.toBe(good);
    expect(await rootFromInclusionProof(3, 7, b64(leaves[3] as Buffer), proof.slice(1))).toBeNull();
    expect(
      await rootFromInclusionProof(3, 7, b64(leaves[3] as Buffer), [...proof, proof[0] as string]),
    ).toBeNull();
    expect(await rootFromInclusionProof(7, 7, b64(leaves[3] as Buffer), proof)).toBeNull();
  });
});
