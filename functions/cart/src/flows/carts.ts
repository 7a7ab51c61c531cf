// The carts in the key-value store: one hash per cart, written only through kv.update() so
// concurrent changes of one cart never lose each other.
import { type KeyValue, money, Problem, sumMoney } from '@shop/shared';
import {
  type CartLine,
  decodeCart,
  encodeLine,
  MAX_CART_LINES,
  MAX_LINE_QUANTITY,
} from '../domain/cart-line.js';
import type { CartLineView, CartMerge, CartView } from '../domain/cart-view.js';
import { computeLineTotal } from '../domain/compute-line-total.js';
import type { OfferClient, OfferProduct } from '../offer-client.js';

const OUT_OF_STOCK = 'https://shop.example/problems/out-of-stock';
const UNKNOWN_PRODUCT = 'https://shop.example/problems/unknown-product';

export interface CartsDeps {
  kv: KeyValue;
  offer: OfferClient;
  ttlSeconds: number;
  currency: string;
  clock: () => Date;
}

/** The product, or a 404 problem for an unknown or archived one. */
async function productOrThrow(deps: CartsDeps, productId: string): Promise<OfferProduct> {
  const product = await deps.offer.getProduct(productId);
  if (!product) {
    throw new Problem(404, `No product ${productId} is for sale.`, {
      type: UNKNOWN_PRODUCT,
      title: 'Unknown product',
    });
  }
  return product;
}

function outOfStock(product: OfferProduct, requested: number): Problem {
  return new Problem(
    422,
    `Only ${product.stock} of ${product.name} in stock; the cart would hold ${requested}.`,
    {
      type: OUT_OF_STOCK,
      title: 'Not enough stock',
      productId: product.id,
      available: product.stock,
      requested,
    },
  );
}

/**
 * Adds `quantity` of a product: the line's quantity grows, the price the shopper now sees is
 * remembered as `priceWhenAdded`. 404 for an unknown or archived product, 422 above stock or 99.
 */
export async function addItem(
  deps: CartsDeps,
  key: string,
  productId: string,
  quantity: number,
): Promise<void> {
  const product = await productOrThrow(deps, productId);
  let failure: Problem | undefined;
  await deps.kv.update(key, (hash) => {
    failure = undefined;
    const lines = decodeCart(hash);
    const current = lines.get(productId);
    if (!current && lines.size >= MAX_CART_LINES) {
      failure = new Problem(422, `A cart holds at most ${MAX_CART_LINES} different products.`, {
        productId,
      });
      return null;
    }
    const next = (current?.quantity ?? 0) + quantity;
    if (next > MAX_LINE_QUANTITY) {
      failure = new Problem(422, `A cart holds at most ${MAX_LINE_QUANTITY} of one product.`, {
        productId,
        requested: next,
      });
      return null;
    }
    if (next > product.stock) {
      failure = outOfStock(product, next);
      return null;
    }
    const line: CartLine = {
      quantity: next,
      priceWhenAdded: money(product.priceAmount, product.currency),
      addedAt: current?.addedAt ?? deps.clock().toISOString(),
    };
    return { set: { [productId]: encodeLine(line) }, ttlSeconds: deps.ttlSeconds };
  });
  if (failure) throw failure;
}

/** Sets a line's quantity; 0 removes it. 404 when the cart has no such line. */
export async function setQuantity(
  deps: CartsDeps,
  key: string,
  productId: string,
  quantity: number,
): Promise<void> {
  if (quantity === 0) {
    await removeItem(deps, key, productId);
    return;
  }
  const product = await productOrThrow(deps, productId);
  let failure: Problem | undefined;
  await deps.kv.update(key, (hash) => {
    failure = undefined;
    const current = decodeCart(hash).get(productId);
    if (!current) {
      failure = new Problem(404, `The cart holds no product ${productId}.`);
      return null;
    }
    if (quantity > product.stock) {
      failure = outOfStock(product, quantity);
      return null;
    }
    return {
      set: { [productId]: encodeLine({ ...current, quantity }) },
      ttlSeconds: deps.ttlSeconds,
    };
  });
  if (failure) throw failure;
}

/** Removes a line; 404 when the cart has no such line. */
export async function removeItem(deps: CartsDeps, key: string, productId: string): Promise<void> {
  const removed = await deps.kv.update<boolean>(key, (hash) =>
    Object.hasOwn(hash, productId)
      ? { set: { [productId]: null }, ttlSeconds: deps.ttlSeconds, result: true }
      : null,
  );
  if (!removed) throw new Problem(404, `The cart holds no product ${productId}.`);
}

/** Empties a cart. */
export async function clearCart(deps: Pick<CartsDeps, 'kv'>, key: string): Promise<void> {
  await deps.kv.del(key);
}

/** The lines of a cart, by product id, in the order they were first added. */
export async function readLines(
  deps: Pick<CartsDeps, 'kv'>,
  key: string,
): Promise<Map<string, CartLine>> {
  const lines = [...decodeCart(await deps.kv.hgetall(key))];
  lines.sort(([idA, a], [idB, b]) =>
    a.addedAt < b.addedAt ? -1 : a.addedAt > b.addedAt ? 1 : idA < idB ? -1 : idA > idB ? 1 : 0,
  );
  return new Map(lines);
}

/**
 * Moves an anonymous cart into a user's: quantities summed, capped by stock (and 99); products
 * no longer for sale are dropped. The anonymous cart is emptied atomically first, so two
 * concurrent merges (or a retry) never add its lines twice.
 */
export async function mergeCarts(
  deps: CartsDeps,
  fromKey: string,
  intoKey: string,
): Promise<CartMerge> {
  const taken = await deps.kv.update<Record<string, string>>(fromKey, (hash) =>
    Object.keys(hash).length === 0
      ? null
      : {
          set: Object.fromEntries(Object.keys(hash).map((field) => [field, null])),
          result: hash,
        },
  );
  await deps.kv.del(fromKey);
  if (!taken) return { merged: 0, capped: [], dropped: [] };
  const lines = decodeCart(taken);
  const products = new Map<string, OfferProduct | null>();
  await Promise.all(
    [...lines.keys()].map(async (id) => products.set(id, await deps.offer.getProduct(id))),
  );
  const capped: string[] = [];
  const dropped: string[] = [];
  await deps.kv.update(intoKey, (hash) => {
    capped.length = 0;
    dropped.length = 0;
    const mine = decodeCart(hash);
    const set: Record<string, string> = {};
    let added = 0;
    for (const [productId, line] of lines) {
      const product = products.get(productId);
      if (!product || product.stock < 1) {
        dropped.push(productId);
        continue;
      }
      const existing = mine.get(productId);
      if (!existing && mine.size + added >= MAX_CART_LINES) {
        dropped.push(productId);
        continue;
      }
      if (!existing) added += 1;
      const wanted = (existing?.quantity ?? 0) + line.quantity;
      const limit = Math.min(product.stock, MAX_LINE_QUANTITY);
      if (wanted > limit) capped.push(productId);
      set[productId] = encodeLine({
        quantity: Math.min(wanted, limit),
        priceWhenAdded: existing?.priceWhenAdded ?? line.priceWhenAdded,
        addedAt: existing?.addedAt ?? line.addedAt,
      });
    }
    return { set, ttlSeconds: deps.ttlSeconds };
  });
  return { merged: lines.size - dropped.length, capped, dropped };
}

/** The cart with current prices and stock from offer, and its total in minor units. */
export async function viewCart(
  deps: CartsDeps,
  key: string,
  cartId: string | null,
): Promise<CartView> {
  const [lines, ttl] = await Promise.all([readLines(deps, key), deps.kv.ttl(key)]);
  const items = await Promise.all(
    [...lines].map(async ([productId, line]): Promise<CartLineView> => {
      const product = await deps.offer.getProduct(productId);
      if (!product) {
        return {
          productId,
          slug: null,
          name: null,
          quantity: line.quantity,
          unitPrice: null,
          priceWhenAdded: line.priceWhenAdded,
          priceChanged: false,
          lineTotal: null,
          available: 0,
          inStock: false,
          maxQuantity: 0,
          purchasable: false,
        };
      }
      const unitPrice = money(product.priceAmount, product.currency);
      return {
        productId,
        slug: product.slug,
        name: product.name,
        quantity: line.quantity,
        unitPrice,
        priceWhenAdded: line.priceWhenAdded,
        priceChanged:
          unitPrice.amount !== line.priceWhenAdded.amount ||
          unitPrice.currency !== line.priceWhenAdded.currency,
        lineTotal: computeLineTotal(unitPrice, line.quantity),
        available: product.stock,
        inStock: product.stock >= line.quantity,
        maxQuantity: Math.min(product.stock, MAX_LINE_QUANTITY),
        purchasable: true,
      };
    }),
  );
  const lineTotals = items.flatMap((item) => (item.lineTotal ? [item.lineTotal] : []));
  return {
    cartId,
    items,
    itemCount: items.reduce((sum, item) => sum + item.quantity, 0),
    total: sumMoney(lineTotals, lineTotals[0]?.currency ?? deps.currency),
    expiresAt: ttl > 0 ? new Date(deps.clock().getTime() + ttl * 1000).toISOString() : null,
  };
}
