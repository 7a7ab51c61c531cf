// /api/admin/users — staff search and read customer records, and erase one on request
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { formatEtag, Problem, requirePermission, type ServiceEnv } from '@shop/shared';
import type { UserDeps } from '../deps.js';
import { decodeCursor } from '../domain/decode-cursor.js';
import { encodeCursor } from '../domain/encode-cursor.js';
import { eraseUserRecord } from '../erasure.js';
import { findProfile, isErased, listAddresses, listConsents, listProfiles } from '../store.js';
import { requireUserId } from './guards.js';
import {
  ConsentRecordSchema,
  ETagHeader,
  IdSchema,
  ProfileSchema,
  presentProfile,
  problem,
  text,
} from './schemas.js';

const IdParams = z.object({ id: IdSchema.openapi({ param: { name: 'id', in: 'path' } }) });

const ListQuery = z.object({
  q: text(200).optional().openapi({
    description: 'Email prefix or part of the display name, case-insensitive.',
  }),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ type: 'integer' }),
  cursor: text(1000, 0).optional().openapi({ description: 'nextCursor of the last page' }),
});

const ProfileSummarySchema = ProfileSchema.omit({ addresses: true }).openapi('ProfileSummary');

const CustomerSchema = ProfileSchema.extend({
  consentHistory: z.array(ConsentRecordSchema),
}).openapi('Customer');

const listUsers = createRoute({
  method: 'get',
  path: '/api/admin/users',
  tags: ['staff'],
  summary: 'Search customers, newest first (keyset pagination)',
  request: { query: ListQuery },
  responses: {
    200: {
      description: 'A page of customers',
      content: {
        'application/json': {
          schema: z.object({
            items: z.array(ProfileSummarySchema),
            nextCursor: z.string().nullable().openapi({ description: 'null on the last page' }),
          }),
        },
      },
    },
    400: problem('Invalid parameters or a cursor of another search'),
    401: problem('No identity'),
    403: problem('Not staff'),
  },
});

const getUser = createRoute({
  method: 'get',
  path: '/api/admin/users/{id}',
  tags: ['staff'],
  summary: 'One customer with addresses and consent history',
  request: { params: IdParams },
  responses: {
    200: {
      description: 'The customer',
      headers: ETagHeader,
      content: { 'application/json': { schema: CustomerSchema } },
    },
    400: problem('The id is not a uuid'),
    401: problem('No identity'),
    403: problem('Not staff'),
    404: problem('No customer with this id (or erased)'),
  },
});

const eraseUser = createRoute({
  method: 'delete',
  path: '/api/admin/users/{id}',
  tags: ['staff'],
  summary: "Erase a customer's personal data on their request (records shop.user.erased)",
  request: { params: IdParams },
  responses: {
    204: { description: 'Erased (also when already erased)' },
    400: problem('The id is not a uuid'),
    401: problem('No identity'),
    403: problem('Not staff'),
  },
});

/** Registers the staff routes; the app's middleware lets only the staff role in. */
export function registerAdminUserRoutes(app: OpenAPIHono<ServiceEnv>, deps: UserDeps): void {
  const { db, clock, onEventsRecorded } = deps;

  app.openapi(listUsers, async (c) => {
    requirePermission(c, 'customers:read');
    requireUserId(c, 'staff');
    const { q, limit, cursor } = c.req.valid('query');
    const search = q || undefined;
    let after: Parameters<typeof listProfiles>[1]['after'];
    if (cursor) {
      const decoded = decodeCursor(cursor, search);
      if (!decoded.ok) {
        throw new Problem(400, decoded.reason, {
          type: 'https://shop.example/problems/validation',
          errors: [{ name: 'query.cursor', reason: decoded.reason }],
        });
      }
      after = decoded.position;
    }
    const rows = await listProfiles(db, {
      ...(search && { q: search }),
      limit,
      ...(after && { after }),
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > limit && last
        ? encodeCursor(search, { createdAt: last.createdAt, userId: last.userId })
        : null;
    const items = page.map((profile) => {
      const { addresses: _addresses, ...summary } = presentProfile(profile, []);
      return summary;
    });
    return c.json({ items, nextCursor }, 200);
  });

  app.openapi(getUser, async (c) => {
    requirePermission(c, 'customers:read');
    requireUserId(c, 'staff');
    const { id } = c.req.valid('param');
    const profile = await findProfile(db, id);
    if (!profile) {
      throw new Problem(
        404,
        (await isErased(db, id)) ? `Customer ${id} was erased.` : `No customer ${id}.`,
      );
    }
    const [addresses, consents] = await Promise.all([listAddresses(db, id), listConsents(db, id)]);
    return c.json(
      {
        ...presentProfile(profile, addresses),
        consentHistory: consents.map((record) => ({
          granted: record.granted,
          origin: record.origin,
          recordedAt: record.recordedAt.toISOString(),
        })),
      },
      200,
      { ETag: formatEtag(profile.version) },
    );
  });

  app.openapi(eraseUser, async (c) => {
    requirePermission(c, 'customers:erase');
    const staffId = requireUserId(c, 'staff');
    const { id } = c.req.valid('param');
    const result = await eraseUserRecord(db, { userId: id, requestedBy: staffId, now: clock() });
    if (result.firstErasure) onEventsRecorded();
    return c.body(null, 204);
  });
}
