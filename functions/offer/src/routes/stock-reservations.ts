// /internal/stock/reservations — cart reserves stock at checkout, releases or commits it later.
// Not routed by the api-gateway; only cart may call it (README, knative/istio).
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { Problem, type ServiceEnv } from '@shop/shared';
import type { OfferDeps } from '../deps.js';
import {
  findReservation,
  insertReservation,
  readStock,
  type StockReservation,
  settleReservation,
  takeStock,
} from '../store.js';
import { IdSchema, problem } from './schemas.js';

const LineSchema = z.strictObject({
  productId: IdSchema,
  quantity: z.number().int().min(1).max(10_000),
});

const ReserveBody = z
  .strictObject({
    orderId: IdSchema,
    lines: z.array(LineSchema).min(1).max(100),
    holdMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional()
      .openapi({
        description:
          'How long the units are held for the order; still reserved then, they are released. ' +
          'Default STOCK_HOLD_MINUTES (90). Cart asks for its pending-order time plus a margin.',
      }),
  })
  .openapi('StockReservationRequest');

const ReservationSchema = z
  .object({
    orderId: z.string(),
    status: z.enum(['reserved', 'released', 'committed']),
    lines: z.array(z.object({ productId: z.string(), quantity: z.number().int() })),
    createdAt: z.string(),
    updatedAt: z.string(),
    expiresAt: z.string(),
    releaseReason: z.enum(['requested', 'expired']).nullable(),
  })
  .openapi('StockReservation');

const OrderParams = z.object({
  orderId: IdSchema.openapi({ param: { name: 'orderId', in: 'path' } }),
});

const reservationResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ReservationSchema } },
});

const reserveStock = createRoute({
  method: 'post',
  path: '/internal/stock/reservations',
  tags: ['internal'],
  summary: 'Reserve the stock of an order: every line or none; a retry returns the same one',
  request: {
    body: { required: true, content: { 'application/json': { schema: ReserveBody } } },
  },
  responses: {
    201: reservationResponse('Reserved: the units are taken from stock'),
    200: reservationResponse('This order already has a reservation (a retry): it, unchanged'),
    400: problem('Invalid input'),
    409: problem('Some products are short or not for sale (`errors` names them); nothing taken'),
    422: problem('This order id was reserved with other lines'),
  },
});

const releaseStock = createRoute({
  method: 'post',
  path: '/internal/stock/reservations/{orderId}/release',
  tags: ['internal'],
  summary: 'Put the units back (payment failed, order cancelled or expired), once',
  request: { params: OrderParams },
  responses: {
    200: reservationResponse('Released (now or before)'),
    404: problem('No reservation for this order'),
    409: problem('The reservation is committed: the order was paid'),
  },
});

const commitStock = createRoute({
  method: 'post',
  path: '/internal/stock/reservations/{orderId}/commit',
  tags: ['internal'],
  summary: 'Make the reservation final (the order was paid)',
  request: { params: OrderParams },
  responses: {
    200: reservationResponse('Committed (now or before)'),
    404: problem('No reservation for this order'),
    409: problem(
      'The reservation was released (by cart, or its hold ran out): its units are back in stock',
    ),
  },
});

function present(reservation: StockReservation) {
  return {
    orderId: reservation.orderId,
    status: reservation.status,
    lines: reservation.lines,
    createdAt: reservation.createdAt.toISOString(),
    updatedAt: reservation.updatedAt.toISOString(),
    expiresAt: reservation.expiresAt.toISOString(),
    releaseReason: reservation.releaseReason,
  };
}

/** Sums the quantities of lines naming the same product; sorted by id, so locks are taken in one order. */
function mergeLines(lines: { productId: string; quantity: number }[]) {
  const merged = new Map<string, number>();
  for (const line of lines) {
    merged.set(line.productId, (merged.get(line.productId) ?? 0) + line.quantity);
  }
  return [...merged]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([productId, quantity]) => ({ productId, quantity }));
}

const sameLines = (a: StockReservation['lines'], b: StockReservation['lines']) =>
  a.length === b.length &&
  a.every((line, i) => line.productId === b[i]?.productId && line.quantity === b[i]?.quantity);

/** Registers the reservation routes cart calls at checkout and after payment events. */
export function registerStockReservationRoutes(
  app: OpenAPIHono<ServiceEnv>,
  deps: OfferDeps,
): void {
  const { db, clock } = deps;

  app.openapi(reserveStock, async (c) => {
    const { orderId, lines: requested, holdMinutes } = c.req.valid('json');
    const lines = mergeLines(requested);
    const now = clock();
    const expiresAt = new Date(now.getTime() + (holdMinutes ?? deps.stockHoldMinutes) * 60_000);
    const outcome = await db.transaction(async (tx) => {
      if (!(await insertReservation(tx, orderId, now, expiresAt))) {
        return { created: false, reservation: await findReservation(tx, orderId) };
      }
      const short: string[] = [];
      for (const line of lines) {
        if (!(await takeStock(tx, orderId, line.productId, line.quantity)))
          short.push(line.productId);
      }
      if (short.length > 0) {
        // Thrown inside the transaction: every line taken so far is rolled back with it.
        const left = await readStock(tx, short);
        throw new Problem(409, 'Some products are not in stock for this quantity.', {
          type: 'https://shop.example/problems/out-of-stock',
          errors: short.map((productId) => {
            const available = left.get(productId);
            return {
              name: productId,
              reason: available === undefined ? 'is not for sale' : `only ${available} in stock`,
              available: available ?? 0,
            };
          }),
        });
      }
      return { created: true, reservation: await findReservation(tx, orderId) };
    });
    const { reservation } = outcome;
    if (!reservation) throw new Error('the reservation vanished in its transaction');
    if (!outcome.created && !sameLines(reservation.lines, lines)) {
      throw new Problem(422, `Order ${orderId} was reserved with other lines.`, {
        type: 'https://shop.example/problems/reservation-differs',
      });
    }
    return c.json(present(reservation), outcome.created ? 201 : 200);
  });

  /** Settles a reservation once; settling it again the same way answers it as it is. */
  async function settle(orderId: string, to: 'released' | 'committed') {
    const reservation = await db.transaction(async (tx) => {
      const current = await findReservation(tx, orderId, { forUpdate: true });
      if (!current) throw new Problem(404, `No stock reservation for order ${orderId}.`);
      if (current.status === 'reserved') {
        await settleReservation(tx, orderId, to, clock());
        return findReservation(tx, orderId);
      }
      if (current.status !== to) {
        throw new Problem(409, `The reservation of order ${orderId} is ${current.status}.`, {
          type: 'https://shop.example/problems/reservation-settled',
          reservationStatus: current.status,
        });
      }
      return current;
    });
    if (!reservation) throw new Error('the reservation vanished in its transaction');
    return present(reservation);
  }

  app.openapi(releaseStock, async (c) => {
    return c.json(await settle(c.req.valid('param').orderId, 'released'), 200);
  });

  app.openapi(commitStock, async (c) => {
    return c.json(await settle(c.req.valid('param').orderId, 'committed'), 200);
  });
}
