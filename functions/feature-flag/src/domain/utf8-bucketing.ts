// flagd (Go) hashes a fractional bucketing key as its UTF-8 bytes; flagd-core's MurmurHash3
// (imurmurhash) takes UTF-16 code units instead, so the two put a user whose key holds a
// non-ASCII character (`josé@shop.test`) in different buckets. We follow flagd and its docs:
// the key is handed to the hash as one character per UTF-8 byte, which makes imurmurhash hash
// exactly those bytes. ASCII keys (the same in both encodings) take no detour.
import MurmurHash3 from 'imurmurhash';

const NON_ASCII = /[^ -~\t\n\r]/;
const encoder = new TextEncoder();
const marker = Symbol.for('shop.feature-flag.utf8-bucketing');

/** The string whose char codes are the UTF-8 bytes of `text`. */
export function utf8ByteString(text: string): string {
  const bytes = encoder.encode(text);
  let out = '';
  for (const byte of bytes) out += String.fromCharCode(byte);
  return out;
}

/** Makes flagd-core's fractional hash UTF-8 bytes, once per process. */
export function useUtf8Bucketing(): void {
  const proto = MurmurHash3.prototype as unknown as Record<symbol | string, unknown>;
  if (proto[marker]) return;
  const original = proto.hash as (this: unknown, key: string) => unknown;
  proto.hash = function hash(this: unknown, key: string) {
    return original.call(
      this,
      typeof key === 'string' && NON_ASCII.test(key) ? utf8ByteString(key) : key,
    );
  };
  proto[marker] = true;
}
