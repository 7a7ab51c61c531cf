import type { Product, ProductChanges } from './product.js';

/**
 * The part of `changes` that really differs from `current`; empty when the edit changes nothing
 * (then the version stays as it is).
 * @example diffProduct(product, { name: product.name, stock: 3 }) // { stock: 3 }
 */
export function diffProduct(current: Product, changes: ProductChanges): ProductChanges {
  const diff: ProductChanges = {};
  for (const [field, value] of Object.entries(changes) as [keyof ProductChanges, unknown][]) {
    if (value === undefined) continue;
    const before: unknown = current[field];
    const same =
      Array.isArray(value) && Array.isArray(before)
        ? value.length === before.length && value.every((item, index) => item === before[index])
        : value === before;
    if (!same) Object.assign(diff, { [field]: value });
  }
  return diff;
}
