// A product as offer's admin routes answer it, and the fields the edit form and the merge work on.

export interface Product {
  id: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  priceAmount: number;
  currency: string;
  images: string[];
  stock: number;
  status: 'active' | 'archived';
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The fields a staff edit changes: PATCH takes all but the price, PUT …/price the price. */
export const EDIT_FIELDS = [
  'name',
  'slug',
  'category',
  'description',
  'stock',
  'priceAmount',
] as const;
export type EditField = (typeof EDIT_FIELDS)[number];
export const PATCH_FIELDS = ['name', 'slug', 'category', 'description', 'stock'] as const;

export type ProductFields = Record<EditField, string | number>;

/** The edit fields of a product. */
export function fieldsOf(product: Product): ProductFields {
  return {
    name: product.name,
    slug: product.slug,
    category: product.category,
    description: product.description,
    stock: product.stock,
    priceAmount: product.priceAmount,
  };
}

/** The ETag offer gives a version (what If-Match sends back). */
export const etagOf = (product: Product) => `W/"${product.version}"`;
