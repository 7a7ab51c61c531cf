// Checking an inclusion proof of the audit log in the browser (RFC 9162 §2.1.3.2): from the
// entry's leaf hash and its audit path, recompute the root of the tree of `size` entries, to be
// compared with the root a signed checkpoint published. Hashes are base64, SHA-256 with the
// RFC 6962 node prefix 0x01.

const fromBase64 = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = 1;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

/**
 * The root (base64) the proof leads to, or null when the proof cannot belong to `index` in a
 * tree of `size` entries (too short, too long, or an index outside the tree).
 * @example await rootFromInclusionProof(3, 7, leafHash, proof) // 'q1w2…='
 */
export async function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: string,
  proof: readonly string[],
): Promise<string | null> {
  if (index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let hash = fromBase64(leafHash);
  for (const sibling of proof.map(fromBase64)) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      hash = await nodeHash(sibling, hash);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      hash = await nodeHash(hash, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? toBase64(hash) : null;
}
