// Optimistic concurrency over HTTP: versions as weak ETags, edits guarded by If-Match.
/** What an `If-Match` header asks for: nothing, any version (`*`), or these versions. */
export type IfMatch =
  | { kind: 'missing' }
  /** `If-Match: *` names no version, so it cannot protect an edit. */
  | { kind: 'any' }
  | { kind: 'versions'; versions: number[] };

const ENTITY_TAG = /^(?:W\/)?"?(\d{1,9})"?$/;

/**
 * The entity versions an `If-Match` header names: `W/"3"`, `"3"` (and a bare `3`), or a
 * comma-separated list. Tags that name no version are kept out, so they match nothing.
 * @example parseIfMatch('W/"3"') // { kind: 'versions', versions: [3] }
 */
export function parseIfMatch(header: string | undefined): IfMatch {
  const value = header?.trim();
  if (!value) return { kind: 'missing' };
  if (value === '*') return { kind: 'any' };
  const versions: number[] = [];
  for (const tag of value.split(',')) {
    const match = ENTITY_TAG.exec(tag.trim());
    if (match?.[1]) versions.push(Number(match[1]));
  }
  return { kind: 'versions', versions };
}

/**
 * The weak ETag of an entity version (the counterpart of {@link parseIfMatch}).
 * @example formatEtag(3) // 'W/"3"'
 */
export function formatEtag(version: number): string {
  return `W/"${version}"`;
}
