// /api/admin/analytics/sources — staff create (the write key shown once), list and revoke the
// analytics sources, and read what became of each source's events.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  newId,
  Problem,
  problemResponses,
  requirePermission,
  type ServiceEnv,
  text,
} from '@shop/shared';
import type { AnalyticsIngestDeps } from '../deps.js';
import { hashWriteKey, makeWriteKey, writeKeyHint } from '../domain/hash-write-key.js';
import { events } from '../events.js';
import {
  countsOf,
  findSource,
  insertSource,
  listSources,
  revokeSource,
  type Source,
  type SourceCounts,
} from '../store.js';

const CountsSchema = z
  .object({
    accepted: z.int(),
    deduped: z.int(),
    rejected: z.int(),
    rejectedByReason: z.record(z.string(), z.int()).openapi({
      example: { no_user_anon_id: 3, too_large: 1 },
    }),
  })
  .openapi('AnalyticsSourceCounts', {
    description: 'Events of the source since it was created (written about every second).',
  });

const SourceSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    site: z.string().nullable(),
    keyHint: z.string().openapi({ description: 'The first characters of the write key.' }),
    status: z.enum(['active', 'revoked']),
    createdAt: z.iso.datetime(),
    createdBy: z.string().nullable(),
    revokedAt: z.iso.datetime().nullable(),
    revokedBy: z.string().nullable(),
    counts: CountsSchema,
  })
  .openapi('AnalyticsSource');

const CreatedSchema = SourceSchema.extend({
  writeKey: z.string().openapi({
    description: 'The write key: shown only in this answer, stored only as a keyed hash.',
  }),
}).openapi('AnalyticsSourceCreated');

const CreateSchema = z
  .strictObject({
    name: text({ max: 100 }).openapi({ example: 'storefront' }),
    site: text({ max: 200 }).optional().openapi({ example: 'https://shop.example' }),
  })
  .openapi('AnalyticsSourceCreate');

const IdParams = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

function present(source: Source, counts: SourceCounts | undefined) {
  return {
    id: source.id,
    name: source.name,
    site: source.site,
    keyHint: source.keyHint,
    status: source.revokedAt ? ('revoked' as const) : ('active' as const),
    createdAt: source.createdAt.toISOString(),
    createdBy: source.createdBy,
    revokedAt: source.revokedAt?.toISOString() ?? null,
    revokedBy: source.revokedBy,
    counts: counts ?? { accepted: 0, deduped: 0, rejected: 0, rejectedByReason: {} },
  };
}

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/admin/analytics/sources',
  tags: ['staff'],
  summary: 'Analytics sources with their event counts (live first)',
  responses: {
    200: json(z.object({ items: z.array(SourceSchema) }), 'The sources'),
    ...problemResponses({ 401: 'Not signed in', 403: 'Not staff' }),
  },
});

const createSourceRoute = createRoute({
  method: 'post',
  path: '/api/admin/analytics/sources',
  tags: ['staff'],
  summary: 'Create a source; its write key is in this answer only',
  request: { body: { required: true, content: { 'application/json': { schema: CreateSchema } } } },
  responses: {
    201: json(CreatedSchema, 'Created'),
    ...problemResponses({
      400: 'Invalid body',
      401: 'Not signed in',
      403: 'Not staff',
      409: 'A live source has that name',
    }),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/admin/analytics/sources/{id}',
  tags: ['staff'],
  summary: 'One source with its event counts',
  request: { params: IdParams },
  responses: {
    200: json(SourceSchema, 'The source'),
    ...problemResponses({
      400: 'Invalid id',
      401: 'Not signed in',
      403: 'Not staff',
      404: 'No such source',
    }),
  },
});

const revokeRoute = createRoute({
  method: 'post',
  path: '/api/admin/analytics/sources/{id}/revoke',
  tags: ['staff'],
  summary: 'Revoke a source: its write key is refused from now on (other instances within 5 s)',
  request: { params: IdParams },
  responses: {
    200: json(SourceSchema, 'Revoked (also when it already was)'),
    ...problemResponses({
      400: 'Invalid id',
      401: 'Not signed in',
      403: 'Not staff',
      404: 'No such source',
    }),
  },
});

/** Registers the staff routes of the analytics sources. */
export function registerAdminSourceRoutes(
  app: OpenAPIHono<ServiceEnv>,
  deps: AnalyticsIngestDeps,
): void {
  const { db } = deps;

  app.openapi(listRoute, async (c) => {
    requirePermission(c, 'analytics:read');
    await deps.ingest.counters.flush();
    const sources = await listSources(db);
    const counts = await countsOf(
      db,
      sources.map((s) => s.id),
    );
    return c.json({ items: sources.map((s) => present(s, counts.get(s.id))) }, 200);
  });

  app.openapi(createSourceRoute, async (c) => {
    const createdBy = requirePermission(c, 'analytics:keys').userId;
    const input = c.req.valid('json');
    const writeKey = makeWriteKey();
    const source: Source = {
      id: newId(),
      name: input.name,
      site: input.site ?? null,
      keyHint: writeKeyHint(writeKey),
      createdAt: deps.clock(),
      createdBy,
      revokedAt: null,
      revokedBy: null,
    };
    // Audited: shop.analytics_source.created (the key's hint, never the key) commits with it.
    const inserted = await db.transaction(async (tx) => {
      const ok = await insertSource(tx, {
        ...source,
        keyHash: hashWriteKey(writeKey, deps.settings.writeKeySecret),
      });
      if (ok) {
        await events.write(tx, {
          type: 'shop.analytics_source.created',
          subject: source.id,
          partitionKey: source.id,
          data: {
            sourceId: source.id,
            name: source.name,
            site: source.site,
            keyHint: source.keyHint,
            createdBy,
            createdAt: source.createdAt.toISOString(),
          },
        });
      }
      return ok;
    });
    if (!inserted) {
      throw new Problem(409, `A live source is already named ${input.name}; revoke it first.`);
    }
    deps.onEventsRecorded();
    c.header('location', `/api/admin/analytics/sources/${source.id}`);
    c.header('cache-control', 'no-store');
    return c.json({ ...present(source, undefined), writeKey }, 201);
  });

  app.openapi(getRoute, async (c) => {
    requirePermission(c, 'analytics:read');
    const { id } = c.req.valid('param');
    await deps.ingest.counters.flush();
    const source = await findSource(db, id);
    if (!source) throw new Problem(404, 'No analytics source has this id.');
    const counts = await countsOf(db, [id]);
    return c.json(present(source, counts.get(id)), 200);
  });

  app.openapi(revokeRoute, async (c) => {
    const revokedBy = requirePermission(c, 'analytics:keys').userId;
    const { id } = c.req.valid('param');
    // Audited: shop.analytics_source.revoked commits with the revocation; revoking a revoked
    // source again changes nothing and records nothing.
    const revoked = await db.transaction(async (tx) => {
      const before = await findSource(tx, id, { forUpdate: true });
      if (!before) return undefined;
      const after = await revokeSource(tx, id, revokedBy, deps.clock());
      if (!after) return undefined;
      if (!before.revokedAt && after.revokedAt) {
        await events.write(tx, {
          type: 'shop.analytics_source.revoked',
          subject: id,
          partitionKey: id,
          data: {
            sourceId: id,
            name: after.name,
            keyHint: after.keyHint,
            revokedBy,
            revokedAt: after.revokedAt.toISOString(),
          },
        });
        return { source: after, recorded: true };
      }
      return { source: after, recorded: false };
    });
    if (!revoked) throw new Problem(404, 'No analytics source has this id.');
    if (revoked.recorded) deps.onEventsRecorded();
    const { source } = revoked;
    deps.writeKeys.forgetAll();
    deps.log.info({ sourceId: id, revokedBy }, 'analytics source revoked');
    const counts = await countsOf(db, [id]);
    return c.json(present(source, counts.get(id)), 200);
  });
}
