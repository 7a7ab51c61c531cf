import type { SortOrder } from './product.js';

export type ChosenSort = { ok: true; sort: SortOrder } | { ok: false; reason: string };

/**
 * The listing's order: the one asked for, else relevance when searching, else newest first.
 * @example chooseSort(undefined, 'kettle') // { ok: true, sort: 'relevance' }
 */
export function chooseSort(requested: SortOrder | undefined, q: string | undefined): ChosenSort {
  if (requested === 'relevance' && !q) {
    return { ok: false, reason: 'sort=relevance needs a search text in q.' };
  }
  return { ok: true, sort: requested ?? (q ? 'relevance' : 'newest') };
}
