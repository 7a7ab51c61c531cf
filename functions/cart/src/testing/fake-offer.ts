// The part of offer's HTTP contract cart's tests need, in memory: the public product read cart
// prices from (`GET /api/offers/{id}`), the staff routes the tests change products with, and the
// stock reservations cart makes at checkout and settles after payment events (`/internal/stock`).
// Cart never imports the offer function; the story through both runs in e2e/.
import { Lifecycle, newId, type RunningServer, serve, silentLogger } from '@shop/shared';
import { type Context, Hono } from 'hono';
import type { OfferProduct } from '../offer-client.js';

/** A product as the fake offer keeps it: what cart reads plus the version If-Match names. */
export interface FakeProduct extends OfferProduct {
  category: string;
  version: number;
}

/** A reservation as the fake keeps it. */
export interface FakeReservation {
  orderId: string;
  status: 'reserved' | 'released' | 'committed';
  lines: { productId: string; quantity: number }[];
}

export interface FakeOffer extends RunningServer {
  url: string;
  products: Map<string, FakeProduct>;
  reservations: Map<string, FakeReservation>;
}

function problem(
  status: 404 | 409 | 412 | 422 | 428,
  detail: string,
  extensions: Record<string, unknown> = {},
): Response {
  return new Response(JSON.stringify({ type: 'about:blank', status, detail, ...extensions }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

/** The product for a staff change, or the problem offer answers (unknown id, If-Match). */
function productToChange(
  products: Map<string, FakeProduct>,
  id: string,
  ifMatch: string | undefined,
): FakeProduct | Response {
  const product = products.get(id);
  if (!product) return problem(404, `No offer ${JSON.stringify(id)}.`);
  if (!ifMatch) return problem(428, 'If-Match is missing.');
  if (ifMatch !== `W/"${product.version}"`) {
    return problem(412, 'The product changed since you read it.');
  }
  return product;
}

/** Starts the fake offer on a free port of 127.0.0.1. */
export async function startFakeOffer(): Promise<FakeOffer> {
  const products = new Map<string, FakeProduct>();
  const reservations = new Map<string, FakeReservation>();
  const app = new Hono();
  // Offer's reservation contract: all lines or none (409 naming the short ones), one
  // reservation per order id (a retry gets it again), release and commit once each.
  app.post('/internal/stock/reservations', async (c) => {
    const body = await c.req.json<FakeReservation>();
    const merged = new Map<string, number>();
    for (const line of body.lines) {
      merged.set(line.productId, (merged.get(line.productId) ?? 0) + line.quantity);
    }
    const lines = [...merged].sort().map(([productId, quantity]) => ({ productId, quantity }));
    const known = reservations.get(body.orderId);
    if (known) {
      if (JSON.stringify(known.lines) !== JSON.stringify(lines)) {
        return problem(422, 'This order was reserved with other lines.');
      }
      return c.json(known, 200);
    }
    const short = lines.filter(({ productId, quantity }) => {
      const product = products.get(productId);
      return product?.status !== 'active' || product.stock < quantity;
    });
    if (short.length > 0) {
      return problem(409, 'Some products are not in stock for this quantity.', {
        errors: short.map(({ productId }) => ({
          name: productId,
          reason: `only ${products.get(productId)?.stock ?? 0} in stock`,
          available: products.get(productId)?.stock ?? 0,
        })),
      });
    }
    for (const { productId, quantity } of lines) {
      (products.get(productId) as FakeProduct).stock -= quantity;
    }
    const reservation: FakeReservation = { orderId: body.orderId, status: 'reserved', lines };
    reservations.set(body.orderId, reservation);
    return c.json(reservation, 201);
  });
  const settle = (to: 'released' | 'committed') => (c: Context) => {
    const reservation = reservations.get(c.req.param('orderId') ?? '');
    if (!reservation) return problem(404, 'No stock reservation for this order.');
    if (reservation.status === 'reserved') {
      reservation.status = to;
      if (to === 'released') {
        for (const { productId, quantity } of reservation.lines) {
          const product = products.get(productId);
          if (product) product.stock += quantity;
        }
      }
    } else if (reservation.status !== to) {
      return problem(409, `The reservation is ${reservation.status}.`);
    }
    return c.json(reservation, 200);
  };
  app.post('/internal/stock/reservations/:orderId/release', settle('released'));
  app.post('/internal/stock/reservations/:orderId/commit', settle('committed'));
  app.get('/api/offers/:id', (c) => {
    const product = products.get(c.req.param('id'));
    if (product?.status !== 'active') {
      return problem(404, `No offer ${JSON.stringify(c.req.param('id'))}.`);
    }
    return c.json(product, 200, { etag: `W/"${product.version}"` });
  });
  app.post('/api/admin/offers', async (c) => {
    const body = await c.req.json<{
      name: string;
      category: string;
      priceAmount: number;
      stock: number;
    }>();
    const id = newId();
    const product: FakeProduct = {
      id,
      slug: body.name.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-'),
      name: body.name,
      category: body.category,
      priceAmount: body.priceAmount,
      currency: 'EUR',
      stock: body.stock,
      status: 'active',
      version: 1,
    };
    products.set(id, product);
    return c.json(product, 201, { location: `/api/admin/offers/${id}` });
  });
  app.get('/api/admin/offers/:id', (c) => {
    const product = products.get(c.req.param('id'));
    return product ? c.json(product) : problem(404, 'No such offer.');
  });
  app.patch('/api/admin/offers/:id', async (c) => {
    const found = productToChange(products, c.req.param('id'), c.req.header('if-match'));
    if (found instanceof Response) return found;
    const body = await c.req.json<{ stock?: number }>();
    if (body.stock !== undefined) found.stock = body.stock;
    found.version += 1;
    return c.json(found);
  });
  app.put('/api/admin/offers/:id/price', async (c) => {
    const found = productToChange(products, c.req.param('id'), c.req.header('if-match'));
    if (found instanceof Response) return found;
    const body = await c.req.json<{ amount: number; currency: string }>();
    found.priceAmount = body.amount;
    found.currency = body.currency;
    found.version += 1;
    return c.json(found);
  });
  app.post('/api/admin/offers/:id/archive', (c) => {
    const found = productToChange(products, c.req.param('id'), c.req.header('if-match'));
    if (found instanceof Response) return found;
    found.status = 'archived';
    found.version += 1;
    return c.json(found);
  });
  const server = await serve(app, {
    port: 0,
    hostname: '127.0.0.1',
    log: silentLogger(),
    lifecycle: new Lifecycle(),
    handleSignals: false,
    shutdownTimeoutMs: 100,
  });
  return { ...server, url: `http://127.0.0.1:${server.port}`, products, reservations };
}
