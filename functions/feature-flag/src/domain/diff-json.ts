// The differences between two JSON values, as the history shows them: one entry per changed
// leaf, with JSON Pointer paths (an object or array replaced by another kind is one entry).
import type { Json } from './flag-types.js';

/** One difference: the path and the values before and after (absent: did not exist). */
export interface JsonChange {
  path: string;
  before?: Json;
  after?: Json;
}

/**
 * Lists what changed from `before` to `after`.
 * @example diffJson({ state: 'ENABLED' }, { state: 'DISABLED' }) // [{ path: '/state', before: 'ENABLED', after: 'DISABLED' }]
 */
export function diffJson(
  before: Json | undefined,
  after: Json | undefined,
  path = '',
): JsonChange[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return [{ path, after: after as Json }];
  if (after === undefined) return [{ path, before }];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffJson(before[key], after[key], `${path}/${token(key)}`));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    const changes: JsonChange[] = [];
    for (let i = 0; i < length; i += 1)
      changes.push(...diffJson(before[i], after[i], `${path}/${i}`));
    return changes;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function token(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
