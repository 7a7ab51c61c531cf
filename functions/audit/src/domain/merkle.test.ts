import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyConsistency, verifyInclusion } from '../testing/rfc9162-verifier.js';
import { consistencyProof, inclusionProof, leafHash, nodeHash, treeHead } from './merkle.js';

// The reference inputs and tree heads of the Certificate Transparency / transparency-dev test
// data (github.com/transparency-dev/merkle, testonly/constants.go: LeafInputs and RootHashes;
// the inclusion proof of leaf 0 in the tree of 8 from proof/verify_test.go).
const INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => Buffer.from(hex, 'hex'));
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const LEAVES = INPUTS.map(leafHash);
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
};
const hex = (b: Buffer) => b.toString('hex');

describe('RFC 6962 Merkle tree', () => {
  it('hashes leaves with 0x00 and nodes with 0x01', () => {
    expect(leafHash(Buffer.from('a'))).toEqual(sha(Buffer.of(0), Buffer.from('a')));
    expect(nodeHash(LEAVES[0] as Buffer, LEAVES[1] as Buffer)).toEqual(
      sha(Buffer.of(1), LEAVES[0] as Buffer, LEAVES[1] as Buffer),
    );
  });

  it('matches the reference tree heads of sizes 0 to 8', () => {
    expect(hex(treeHead([]))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    for (let size = 1; size <= 8; size++) {
      expect(hex(treeHead(LEAVES.slice(0, size))), `size ${size}`).toBe(ROOTS[size - 1]);
    }
  });

  it('gives the reference inclusion proof of leaf 0 in the tree of 8', () => {
    expect(inclusionProof(LEAVES, 0, 8).map(hex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
  });

  // Trees of every shape up to 40 leaves: every proof verifies, every mutation fails.
  const many = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

  it('gives inclusion proofs the RFC 9162 verifier accepts, and only for the right leaf, index and size', () => {
    for (let size = 1; size <= many.length; size++) {
      const root = treeHead(many, 0, size);
      for (let index = 0; index < size; index++) {
        const leaf = many[index] as Buffer;
        const proof = inclusionProof(many, index, size);
        expect(verifyInclusion(index, size, leaf, proof, root), `${index}/${size}`).toBe(true);
        const other = many[(index + 1) % size] as Buffer;
        if (size > 1) {
          expect(verifyInclusion(index, size, other, proof, root)).toBe(false);
          expect(verifyInclusion((index + 1) % size, size, leaf, proof, root)).toBe(false);
        }
        // Another size is another tree: the proof does not lead to its head.
        if (size < many.length) {
          const grown = treeHead(many, 0, size + 1);
          expect(verifyInclusion(index, size + 1, leaf, proof, grown)).toBe(false);
        }
        if (proof.length > 0) {
          const bent = proof.map((p, i) => (i === proof.length - 1 ? leafHash(p) : p));
          expect(verifyInclusion(index, size, leaf, bent, root)).toBe(false);
          expect(verifyInclusion(index, size, leaf, proof.slice(1), root)).toBe(false);
        }
      }
    }
  });

  it('gives consistency proofs the RFC 9162 verifier accepts, and only for the right sizes and roots', () => {
    for (let to = 1; to <= many.length; to++) {
      const secondRoot = treeHead(many, 0, to);
      for (let from = 1; from <= to; from++) {
        const firstRoot = treeHead(many, 0, from);
        const proof = consistencyProof(many, from, to);
        expect(verifyConsistency(from, to, firstRoot, secondRoot, proof), `${from}→${to}`).toBe(
          true,
        );
        if (from < to) {
          const forged = treeHead([leafHash(Buffer.from('forged')), ...many.slice(1)], 0, from);
          expect(verifyConsistency(from, to, forged, secondRoot, proof)).toBe(false);
          if (to < many.length) {
            const grown = treeHead(many, 0, to + 1);
            expect(verifyConsistency(from, to + 1, firstRoot, grown, proof)).toBe(false);
          }
          const bent = proof.map((p, i) => (i === 0 ? leafHash(p) : p));
          expect(verifyConsistency(from, to, firstRoot, secondRoot, bent)).toBe(false);
        }
      }
    }
  });

  it('refuses proofs beyond the leaves it has', () => {
    expect(() => inclusionProof(LEAVES, 8, 8)).toThrow(RangeError);
    expect(() => inclusionProof(LEAVES, 0, 9)).toThrow(RangeError);
    expect(() => consistencyProof(LEAVES, 5, 4)).toThrow(RangeError);
    expect(consistencyProof(LEAVES, 0, 8)).toEqual([]);
  });
});
