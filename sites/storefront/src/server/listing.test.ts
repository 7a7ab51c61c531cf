import { describe, expect, it } from 'vitest';
import type { Product } from './gateway-client.js';
import { listingSearch, readListing, toListingQuery, visibleProducts } from './listing.js';

const read = (query: string, fixed?: string) => readListing(new URLSearchParams(query), fixed);

describe('a listing query string', () => {
  it('becomes the gateway listing parameters, prices in cents', () => {
    const request = read('q=kettle&category=kitchen&minPrice=10&maxPrice=49,99&sort=price_asc');
    expect(toListingQuery(request, 'EUR')).toEqual({
      q: 'kettle',
      category: 'kitchen',
      minPrice: 1000,
      maxPrice: 4999,
      sort: 'price_asc',
      cursor: undefined,
      limit: 24,
    });
  });

  it('drops what is not valid instead of sending it on', () => {
    const request = read('sort=drop+table&category=../admin&minPrice=abc&inStock=yes');
    expect(request).toMatchObject({ sort: '', category: '', minPrice: 'abc', inStock: false });
    expect(toListingQuery(request, 'EUR')).toMatchObject({
      sort: undefined,
      category: undefined,
      minPrice: undefined,
    });
    // Relevance needs a search text; without one the catalog's default order is used.
    expect(toListingQuery(read('sort=relevance'), 'EUR').sort).toBeUndefined();
    // A range the wrong way round drops its upper end.
    expect(toListingQuery(read('minPrice=50&maxPrice=10'), 'EUR')).toMatchObject({
      minPrice: 5000,
      maxPrice: undefined,
    });
  });

  it('clips overlong text to what the catalog accepts', () => {
    expect(read(`q=${'a'.repeat(500)}`).q).toHaveLength(200);
    expect(read(`cursor=${'c'.repeat(5000)}`).cursor).toHaveLength(1000);
  });

  it('links the next page with the same filters and sort, the category page without its category', () => {
    const request = read('q=mug&minPrice=5&inStock=1&sort=name');
    expect(listingSearch(request, { cursor: 'abc' })).toBe(
      '?q=mug&minPrice=5&inStock=1&sort=name&cursor=abc',
    );
    const category = read('sort=newest&cursor=old', 'kitchen');
    expect(category.category).toBe('kitchen');
    expect(listingSearch(category, { cursor: '' }, 'kitchen')).toBe('?sort=newest');
  });

  it('shows only products with stock left when asked to', () => {
    const products = [{ stock: 0 }, { stock: 3 }] as Product[];
    expect(visibleProducts(products, read('inStock=1'))).toEqual([{ stock: 3 }]);
    expect(visibleProducts(products, read(''))).toHaveLength(2);
  });
});
