// SQL for the `offer` schema: categories, products and the listing queries.
import type { Database, Queryable } from '@shop/shared';
import type {
  Category,
  CursorPosition,
  Product,
  ProductChanges,
  ProductStatus,
  SortOrder,
  StockAdjustment,
  StockAdjustmentReason,
} from './domain/product.js';

interface ProductRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  price_amount: number;
  currency: string;
  images: string[];
  stock: number;
  status: ProductStatus;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const PRODUCT_COLUMNS = `p.id, p.slug, p.name, p.description, p.category, p.price_amount,
  p.currency, p.images, p.stock, p.status, p.version, p.created_at, p.updated_at`;

function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    category: row.category,
    priceAmount: row.price_amount,
    currency: row.currency,
    images: row.images,
    stock: row.stock,
    status: row.status,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A product as it is inserted: everything but the version, which starts at 1. */
export type NewProduct = Omit<Product, 'version'>;

/**
 * Inserts a product; with `ifAbsent` a conflicting id or slug inserts nothing and returns null
 * (seeding). Without it a taken slug throws the driver's unique violation (23505).
 */
export async function insertProduct(
  db: Queryable,
  product: NewProduct,
  options: { ifAbsent?: boolean } = {},
): Promise<Product | null> {
  const { rows } = await db.query<ProductRow>(
    `INSERT INTO offer.product AS p (id, slug, name, description, category, price_amount, currency,
       images, stock, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ${options.ifAbsent ? 'ON CONFLICT DO NOTHING' : ''}
     RETURNING ${PRODUCT_COLUMNS}`,
    [
      product.id,
      product.slug,
      product.name,
      product.description,
      product.category,
      product.priceAmount,
      product.currency,
      product.images,
      product.stock,
      product.status,
      product.createdAt,
      product.updatedAt,
    ],
  );
  return rows[0] ? toProduct(rows[0]) : null;
}

/** A product by id or slug; archived ones only when `includeArchived`. */
export async function findProduct(
  db: Queryable,
  by: { id: string } | { slug: string },
  options: { includeArchived: boolean },
): Promise<Product | null> {
  const [column, value] = 'id' in by ? ['p.id', by.id] : ['p.slug', by.slug];
  const { rows } = await db.query<ProductRow>(
    `SELECT ${PRODUCT_COLUMNS} FROM offer.product p
     WHERE ${column} = $1 ${options.includeArchived ? '' : `AND p.status = 'active'`}`,
    [value],
  );
  return rows[0] ? toProduct(rows[0]) : null;
}

/** Reads a product and locks its row until the transaction ends, so edits queue up behind it. */
export async function lockProduct(tx: Queryable, id: string): Promise<Product | null> {
  const { rows } = await tx.query<ProductRow>(
    `SELECT ${PRODUCT_COLUMNS} FROM offer.product p WHERE p.id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0] ? toProduct(rows[0]) : null;
}

const CHANGE_COLUMNS: Record<keyof ProductChanges, string> = {
  slug: 'slug',
  name: 'name',
  description: 'description',
  category: 'category',
  images: 'images',
  stock: 'stock',
  status: 'status',
  priceAmount: 'price_amount',
  currency: 'currency',
};

/**
 * Applies `changes` only while the product still has `expectedVersion`, incrementing the
 * version: of two concurrent edits of the same version exactly one wins. Returns null when
 * the product is gone or its version moved on.
 */
export async function updateProduct(
  db: Queryable,
  id: string,
  expectedVersion: number,
  changes: ProductChanges,
  now: Date,
): Promise<Product | null> {
  const params: unknown[] = [id, expectedVersion, now];
  const assignments: string[] = [];
  for (const [field, value] of Object.entries(changes) as [keyof ProductChanges, unknown][]) {
    if (value === undefined) continue;
    params.push(value);
    assignments.push(`${CHANGE_COLUMNS[field]} = $${params.length}`);
  }
  const { rows } = await db.query<ProductRow>(
    `UPDATE offer.product AS p
     SET ${[...assignments, 'version = p.version + 1', 'updated_at = $3'].join(', ')}
     WHERE p.id = $1 AND p.version = $2
     RETURNING ${PRODUCT_COLUMNS}`,
    params,
  );
  return rows[0] ? toProduct(rows[0]) : null;
}

export interface ProductQuery {
  q?: string;
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  statuses: readonly ProductStatus[];
  sort: SortOrder;
  /** Continue after this position (exclusive). */
  after?: CursorPosition;
  limit: number;
}

export interface ProductPage {
  products: Product[];
  /** Position of the page's last product when more follow, else null. */
  next: CursorPosition | null;
}

interface SortSql {
  /** The sort key as the cursor stores it (text where a JS number or Date would lose precision). */
  key: string;
  /** Keyset condition: rows strictly after ($key, $id) in this order. */
  after: (key: string, id: string) => string;
  orderBy: string;
}

// Every order ends with the id, so positions are unique and a page boundary is exact.
const SORT_SQL: Record<SortOrder, SortSql> = {
  newest: {
    key: `to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    after: (key, id) => `(p.created_at, p.id) < (${key}::timestamptz, ${id}::uuid)`,
    orderBy: 'p.created_at DESC, p.id DESC',
  },
  price_asc: {
    key: 'p.price_amount',
    after: (key, id) => `(p.price_amount, p.id) > (${key}::bigint, ${id}::uuid)`,
    orderBy: 'p.price_amount ASC, p.id ASC',
  },
  price_desc: {
    key: 'p.price_amount',
    after: (key, id) => `(p.price_amount, p.id) < (${key}::bigint, ${id}::uuid)`,
    orderBy: 'p.price_amount DESC, p.id DESC',
  },
  // Byte order of the lower-cased name: the same on every server, whatever its locale.
  name: {
    key: 'lower(p.name)',
    after: (key, id) =>
      `(lower(p.name) COLLATE "C", p.id) > (${key}::text COLLATE "C", ${id}::uuid)`,
    orderBy: 'lower(p.name) COLLATE "C" ASC, p.id ASC',
  },
  // ts_rank depends only on the product and the query, so other inserts never move a product;
  // the rank travels as text because a `real` printed by PostgreSQL reads back exactly.
  relevance: {
    key: 'ts_rank(p.search, query)::text',
    after: (key, id) => `(ts_rank(p.search, query), p.id) < (${key}::real, ${id}::uuid)`,
    orderBy: 'ts_rank(p.search, query) DESC, p.id DESC',
  },
};

/**
 * One page of products in keyset order. The search text only ever reaches SQL as a parameter
 * of `websearch_to_tsquery`, which accepts any text.
 */
export async function listProducts(db: Queryable, query: ProductQuery): Promise<ProductPage> {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const sort = SORT_SQL[query.sort];
  const from = ['offer.product p'];
  const where: string[] = [];
  if (query.q !== undefined) {
    from.push(`websearch_to_tsquery('english', ${param(query.q)}) AS query`);
    where.push('p.search @@ query');
  } else if (query.sort === 'relevance') {
    throw new Error('relevance order needs a search text');
  }
  // A literal for the public listing lets the planner use the partial indexes.
  if (query.statuses.length === 1 && query.statuses[0] === 'active') {
    where.push(`p.status = 'active'`);
  } else {
    where.push(`p.status = ANY(${param(query.statuses)}::text[])`);
  }
  if (query.category !== undefined) where.push(`p.category = ${param(query.category)}`);
  if (query.minPrice !== undefined) where.push(`p.price_amount >= ${param(query.minPrice)}`);
  if (query.maxPrice !== undefined) where.push(`p.price_amount <= ${param(query.maxPrice)}`);
  if (query.after) where.push(sort.after(param(query.after.key), param(query.after.id)));
  const { rows } = await db.query<ProductRow & { sort_key: string | number }>(
    `SELECT ${PRODUCT_COLUMNS}, ${sort.key} AS sort_key
     FROM ${from.join(', ')}
     WHERE ${where.join(' AND ')}
     ORDER BY ${sort.orderBy}
     LIMIT ${param(query.limit + 1)}`,
    params,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    products: page.map(toProduct),
    next: rows.length > query.limit && last ? { key: last.sort_key, id: last.id } : null,
  };
}

/** Inserts a category unless one with its slug exists; returns whether it inserted. */
export async function insertCategory(
  db: Queryable,
  category: Omit<Category, 'productCount'>,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO offer.category (slug, name, description) VALUES ($1, $2, $3)
     ON CONFLICT (slug) DO NOTHING`,
    [category.slug, category.name, category.description],
  );
  return rowCount > 0;
}

/** All categories by name, each with its number of active products. */
export async function listCategories(db: Queryable): Promise<Category[]> {
  const { rows } = await db.query<Category>(
    `SELECT c.slug, c.name, c.description,
       count(p.id) FILTER (WHERE p.status = 'active')::int AS "productCount"
     FROM offer.category c
     LEFT JOIN offer.product p ON p.category = c.slug
     GROUP BY c.slug, c.name, c.description
     ORDER BY c.name, c.slug`,
  );
  return rows;
}

/** Stock reserved for an order (offer.stock_reservation and its lines). */
export interface StockReservation {
  orderId: string;
  status: 'reserved' | 'released' | 'committed';
  lines: { productId: string; quantity: number }[];
  createdAt: Date;
  updatedAt: Date;
  /** Until when the units are held; a reservation still `reserved` then is released. */
  expiresAt: Date;
  /** Why a released reservation was: cart asked, or its hold ran out. */
  releaseReason: 'requested' | 'expired' | null;
}

interface ReservationRow {
  order_id: string;
  status: StockReservation['status'];
  created_at: Date;
  updated_at: Date;
  expires_at: Date;
  release_reason: StockReservation['releaseReason'];
}

/** The reservation of an order with its lines (by product id), or null. */
export async function findReservation(
  db: Queryable,
  orderId: string,
  options: { forUpdate?: boolean } = {},
): Promise<StockReservation | null> {
  const { rows } = await db.query<ReservationRow>(
    `SELECT order_id, status, created_at, updated_at, expires_at, release_reason
     FROM offer.stock_reservation WHERE order_id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  const row = rows[0];
  if (!row) return null;
  const lines = await db.query<{ product_id: string; quantity: number }>(
    `SELECT product_id, quantity FROM offer.stock_reservation_line WHERE order_id = $1
     ORDER BY product_id`,
    [orderId],
  );
  return {
    orderId: row.order_id,
    status: row.status,
    lines: lines.rows.map((line) => ({ productId: line.product_id, quantity: line.quantity })),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    expiresAt: new Date(row.expires_at),
    releaseReason: row.release_reason,
  };
}

/**
 * Records the reservation row of an order unless one exists (then returns false: a retry).
 * A concurrent insert of the same order id waits for the first to commit or roll back.
 */
export async function insertReservation(
  tx: Queryable,
  orderId: string,
  now: Date,
  expiresAt: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO offer.stock_reservation (order_id, status, created_at, updated_at, expires_at)
     VALUES ($1, 'reserved', $2, $2, $3) ON CONFLICT DO NOTHING`,
    [orderId, now, expiresAt],
  );
  return rowCount === 1;
}

/**
 * Takes `quantity` units of an active product only if that many are left — one conditional
 * UPDATE, no read before it — and records the line. False when the product is short.
 */
export async function takeStock(
  tx: Queryable,
  orderId: string,
  productId: string,
  quantity: number,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE offer.product SET stock = stock - $2
     WHERE id = $1 AND stock >= $2 AND status = 'active'`,
    [productId, quantity],
  );
  if (rowCount !== 1) return false;
  await tx.query(
    `INSERT INTO offer.stock_reservation_line (order_id, product_id, quantity)
     VALUES ($1, $2, $3)`,
    [orderId, productId, quantity],
  );
  return true;
}

/** The stock of active products by id (what is left of those a reservation was short of). */
export async function readStock(db: Queryable, productIds: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: string; stock: number }>(
    `SELECT id, stock FROM offer.product WHERE id = ANY($1::uuid[]) AND status = 'active'`,
    [productIds],
  );
  return new Map(rows.map((row) => [row.id, row.stock]));
}

/**
 * Moves a reservation from `reserved` to `to`, once: false when it is not `reserved` any more.
 * Releasing also puts its units back (archived products too).
 */
export async function settleReservation(
  tx: Queryable,
  orderId: string,
  to: 'released' | 'committed',
  now: Date,
  reason: 'requested' | 'expired' = 'requested',
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE offer.stock_reservation
     SET status = $2, updated_at = $3,
         release_reason = CASE WHEN $2::text = 'released' THEN $4::text END
     WHERE order_id = $1 AND status = 'reserved'`,
    [orderId, to, now, reason],
  );
  if (rowCount !== 1) return false;
  if (to === 'released') {
    await tx.query(
      `UPDATE offer.product p SET stock = p.stock + l.quantity
       FROM offer.stock_reservation_line l
       WHERE l.order_id = $1 AND l.product_id = p.id`,
      [orderId],
    );
  }
  return true;
}

/**
 * Releases up to `limit` reservations whose hold ran out while still `reserved` (a checkout
 * that never recorded or settled its order): their units go back to stock. Skips rows another
 * transaction holds, so concurrent sweeps and settles do not wait on each other.
 * Returns the order ids released.
 */
export async function releaseExpiredReservations(
  db: Database,
  now: Date,
  limit = 100,
): Promise<string[]> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ order_id: string }>(
      `SELECT order_id FROM offer.stock_reservation
       WHERE status = 'reserved' AND expires_at <= $1
       ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    const released: string[] = [];
    for (const { order_id: orderId } of rows) {
      if (await settleReservation(tx, orderId, 'released', now, 'expired')) released.push(orderId);
    }
    return released;
  });
}

/**
 * Adds `change` (negative: takes away) to a product's stock in one conditional UPDATE relative
 * to the stored count, so concurrent adjustments all count; a result below zero changes
 * nothing and returns null. It is a staff change: the version and updated_at move.
 */
export async function adjustStock(
  tx: Queryable,
  id: string,
  change: number,
  now: Date,
): Promise<Product | null> {
  const { rows } = await tx.query<ProductRow>(
    `UPDATE offer.product AS p
     SET stock = p.stock + $2, version = p.version + 1, updated_at = $3
     WHERE p.id = $1 AND p.stock + $2 >= 0
     RETURNING ${PRODUCT_COLUMNS}`,
    [id, change, now],
  );
  return rows[0] ? toProduct(rows[0]) : null;
}

interface StockAdjustmentRow {
  id: string;
  product_id: string;
  change: number;
  stock_after: number;
  reason: StockAdjustmentReason;
  note: string | null;
  adjusted_by: string | null;
  request_hash: string | null;
  created_at: Date;
}

function toStockAdjustment(row: StockAdjustmentRow): StockAdjustment {
  return {
    id: row.id,
    productId: row.product_id,
    change: row.change,
    stockAfter: row.stock_after,
    reason: row.reason,
    note: row.note,
    adjustedBy: row.adjusted_by,
    createdAt: new Date(row.created_at),
  };
}

/** Records one stock adjustment (with the Idempotency-Key and request hash it came with). */
export async function insertStockAdjustment(
  tx: Queryable,
  adjustment: StockAdjustment,
  idempotency: { key: string; requestHash: string } | null = null,
): Promise<void> {
  await tx.query(
    `INSERT INTO offer.stock_adjustment (id, product_id, change, stock_after, reason, note,
       adjusted_by, idempotency_key, request_hash, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      adjustment.id,
      adjustment.productId,
      adjustment.change,
      adjustment.stockAfter,
      adjustment.reason,
      adjustment.note,
      adjustment.adjustedBy,
      idempotency?.key ?? null,
      idempotency?.requestHash ?? null,
      adjustment.createdAt,
    ],
  );
}

/** The adjustment a staff member made of a product under an Idempotency-Key, or null. */
export async function findStockAdjustmentByKey(
  db: Queryable,
  productId: string,
  adjustedBy: string | null,
  key: string,
): Promise<(StockAdjustment & { requestHash: string | null }) | null> {
  const { rows } = await db.query<StockAdjustmentRow>(
    `SELECT * FROM offer.stock_adjustment
     WHERE product_id = $1 AND adjusted_by IS NOT DISTINCT FROM $2 AND idempotency_key = $3`,
    [productId, adjustedBy, key],
  );
  const row = rows[0];
  return row ? { ...toStockAdjustment(row), requestHash: row.request_hash } : null;
}

/** A product's adjustments, newest first (UUIDv7 ids), after `afterId` (exclusive) if given. */
export async function listStockAdjustments(
  db: Queryable,
  productId: string,
  page: { afterId?: string; limit: number },
): Promise<{ adjustments: StockAdjustment[]; nextId: string | null }> {
  const { rows } = await db.query<StockAdjustmentRow>(
    `SELECT * FROM offer.stock_adjustment
     WHERE product_id = $1 AND ($2::uuid IS NULL OR id < $2::uuid)
     ORDER BY id DESC LIMIT $3`,
    [productId, page.afterId ?? null, page.limit + 1],
  );
  const adjustments = rows.slice(0, page.limit).map(toStockAdjustment);
  const last = adjustments.at(-1);
  return { adjustments, nextId: rows.length > page.limit && last ? last.id : null };
}
