// GET /api/admin/events/<function>/parked — staff list the outbox events the relay parked
// POST /api/admin/events/<function>/parked/{id}/retry — staff unpark one: the relay tries it again
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceEnv } from '../app.js';
import type { Queryable } from '../db/database.js';
import { problemResponses } from '../http/problem-schema.js';
import { requirePermission } from '../identity/index.js';
import { listParkedEvents, retryParkedEvent } from '../outbox.js';
import { Problem } from '../problem.js';

const ParkedEventSchema = z
  .object({
    id: z.uuid(),
    type: z.string(),
    subject: z.string().nullable(),
    partitionKey: z
      .string()
      .nullable()
      .openapi({ description: 'Its ordering group: later events of this key wait behind it.' }),
    reason: z.enum(['refused', 'too_large', 'invalid', 'exhausted']).openapi({
      description:
        'refused: the broker answered a 4xx it does not retry; too_large: over the broker’s ' +
        'size limit; invalid: data no longer matching the catalog; exhausted: out of attempts ' +
        'while the broker took other events.',
    }),
    attempts: z.int(),
    lastError: z.string().nullable(),
    createdAt: z.iso.datetime(),
    lastAttemptAt: z.iso.datetime().nullable(),
    parkedAt: z.iso.datetime(),
    heldBack: z.int().openapi({ description: 'Events of the same key waiting behind it.' }),
  })
  .openapi('ParkedEvent');

/**
 * The staff routes over a function's parked outbox events, under
 * `/api/admin/events/<service>/parked`; the kit mounts them on every function with an outbox
 * (the gateway routes `/api/admin/events/<service>` to it, staff only). `onRetried` runs after an
 * event was unparked: wake the relay.
 * @example app.route('/', createParkedEventsApp({ db, schema: 'offer', service: 'offer', onRetried: () => relay.wake() }));
 */
export function createParkedEventsApp(options: {
  db: Queryable;
  schema: string;
  service: string;
  onRetried?: () => void;
}): OpenAPIHono<ServiceEnv> {
  const { db, schema, service } = options;
  const base = `/api/admin/events/${service}/parked`;
  const app = new OpenAPIHono<ServiceEnv>();

  const listRoute = createRoute({
    method: 'get',
    path: base,
    tags: ['staff'],
    summary: 'Outbox events the relay parked (not retried; later events of their key wait)',
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(500).default(100).openapi({
          description: 'At most this many, oldest first (default 100).',
        }),
      }),
    },
    responses: {
      200: {
        description: 'The parked events, oldest first',
        content: {
          'application/json': {
            schema: z.object({ events: z.array(ParkedEventSchema) }).openapi('ParkedEvents'),
          },
        },
      },
      ...problemResponses({
        400: 'Invalid query',
        401: 'No identity',
        403: 'Not staff, or no events:read',
      }),
    },
  });
  const retryRoute = createRoute({
    method: 'post',
    path: `${base}/{id}/retry`,
    tags: ['staff'],
    summary: 'Unpark an event: its attempts start again and the relay publishes it next',
    request: {
      params: z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) }),
    },
    responses: {
      204: { description: 'Unparked; the relay tries it at once' },
      ...problemResponses({
        400: 'Not an event id',
        401: 'No identity',
        403: 'Not staff, or no events:replay',
        404: 'No parked event with this id',
      }),
    },
  });

  app.openapi(listRoute, async (c) => {
    requirePermission(c, 'events:read');
    const { limit } = c.req.valid('query');
    return c.json({ events: await listParkedEvents(db, schema, limit) }, 200);
  });
  app.openapi(retryRoute, async (c) => {
    const staff = requirePermission(c, 'events:replay');
    const { id } = c.req.valid('param');
    if (!(await retryParkedEvent(db, schema, id))) {
      throw new Problem(404, `No parked event ${id} in ${service}'s outbox.`);
    }
    c.get('log')?.info({ eventId: id, by: staff.userId }, 'parked outbox event retried by staff');
    options.onRetried?.();
    return c.body(null, 204);
  });
  return app;
}
