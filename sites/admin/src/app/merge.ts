// Two people editing one record: when a save answers 412, the record as I loaded it (base), my
// form (mine) and the record as it is now (theirs) are compared field by field. A field only
// they changed takes theirs, one only I changed keeps mine, one both changed is mine until I
// pick; the merge is saved against their version, so nobody's change is silently lost.

export type FieldValue = string | number;
export type Fields<K extends string = string> = Record<K, FieldValue>;
export type Choice = 'mine' | 'theirs';

/** One field where my form and the current record disagree. */
export interface FieldDiff<K extends string = string> {
  field: K;
  base: FieldValue;
  mine: FieldValue;
  theirs: FieldValue;
  mineChanged: boolean;
  theirsChanged: boolean;
}

/**
 * The fields of `names` whose value differs between `from` and `to`, with `to`'s value.
 * @example changedFields({ name: 'a', stock: 1 }, { name: 'b', stock: 1 }, ['name', 'stock']) // { name: 'b' }
 */
export function changedFields<K extends string>(
  from: Fields<K>,
  to: Fields<K>,
  names: readonly K[],
): Partial<Fields<K>> {
  const changed: Partial<Fields<K>> = {};
  for (const name of names) if (from[name] !== to[name]) changed[name] = to[name];
  return changed;
}

/**
 * The fields where `mine` and `theirs` differ (fields where both ended up equal need no choice).
 * @example diffEdits(base, mine, theirs, ['name', 'priceAmount'])
 */
export function diffEdits<K extends string>(
  base: Fields<K>,
  mine: Fields<K>,
  theirs: Fields<K>,
  names: readonly K[],
): FieldDiff<K>[] {
  return names
    .filter((field) => mine[field] !== theirs[field])
    .map((field) => ({
      field,
      base: base[field],
      mine: mine[field],
      theirs: theirs[field],
      mineChanged: mine[field] !== base[field],
      theirsChanged: theirs[field] !== base[field],
    }));
}

/** The choice each field starts with: theirs where only they changed it, else mine. */
export function defaultChoices<K extends string>(
  diffs: readonly FieldDiff<K>[],
): Record<K, Choice> {
  const choices = {} as Record<K, Choice>;
  for (const diff of diffs) {
    choices[diff.field] = diff.theirsChanged && !diff.mineChanged ? 'theirs' : 'mine';
  }
  return choices;
}

/**
 * The record to save: theirs, with my value in every field I chose to keep.
 * @example mergeEdits(mine, theirs, { name: 'mine', priceAmount: 'theirs' }, names)
 */
export function mergeEdits<K extends string>(
  mine: Fields<K>,
  theirs: Fields<K>,
  choices: Partial<Record<K, Choice>>,
  names: readonly K[],
): Fields<K> {
  const merged = { ...theirs };
  for (const name of names) {
    if (mine[name] !== theirs[name] && (choices[name] ?? 'mine') === 'mine') {
      merged[name] = mine[name];
    }
  }
  return merged;
}
