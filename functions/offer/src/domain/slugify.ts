import { UUID_PATTERN } from './product.js';

const MAX_SLUG_LENGTH = 100;

/**
 * A lowercase kebab-case slug from a product name: accents dropped, anything else that is
 * not a letter or digit becomes one hyphen. Returns '' when nothing usable is left.
 * @example slugify('Crème Brûlée Torch — 2 pack') // 'creme-brulee-torch-2-pack'
 */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/\p{Mn}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/-+$/, '');
  // A slug shaped like a uuid would be ambiguous in /api/offers/{idOrSlug}.
  return UUID_PATTERN.test(slug) ? '' : slug;
}
