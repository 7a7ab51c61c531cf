import { describe, expect, it } from 'vitest';
import { diffProduct } from './diff-product.js';
import type { Product } from './product.js';

const product: Product = {
  id: '0190a4b2-1111-7222-8333-444455556666',
  slug: 'kettle',
  name: 'Kettle',
  description: 'Boils water.',
  category: 'kitchen',
  priceAmount: 2999,
  currency: 'EUR',
  images: ['https://picsum.photos/seed/kettle/800/800'],
  stock: 4,
  status: 'active',
  version: 3,
  createdAt: new Date('2025-01-01T00:00:00Z'),
  updatedAt: new Date('2025-01-02T00:00:00Z'),
};

describe('diffProduct', () => {
  it('keeps only the fields that differ', () => {
    expect(
      diffProduct(product, { name: 'Kettle', stock: 0, description: 'Boils water fast.' }),
    ).toEqual({
      stock: 0,
      description: 'Boils water fast.',
    });
  });

  it('compares image lists by content and order', () => {
    expect(diffProduct(product, { images: [...product.images] })).toEqual({});
    const images = ['https://picsum.photos/seed/a/800/800', ...product.images];
    expect(diffProduct(product, { images })).toEqual({ images });
  });

  it('is empty when nothing changes', () => {
    expect(diffProduct(product, { status: 'active', slug: 'kettle', stock: undefined })).toEqual(
      {},
    );
  });
});
