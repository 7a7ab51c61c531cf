// /api/admin/attribution/commission-rates — staff set a commission rate (basis points) per
// affiliate or campaign; a campaign's rate beats its affiliate's; none is 0. Edits need If-Match.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  formatEtag,
  Problem,
  parseIfMatch,
  problemResponses,
  requirePermission,
  type ServiceEnv,
  text,
} from '@shop/shared';
import type { AttributionDeps } from '../deps.js';
import { staffProblems } from './schemas.js';

const Scope = z.enum(['affiliate', 'campaign']);
const Params = z.object({ scope: Scope, key: text({ max: 200 }) });
const RateSchema = z
  .object({
    scope: Scope,
    key: z.string(),
    basisPoints: z.number().int(),
    version: z.number().int(),
    updatedBy: z.string(),
    updatedAt: z.string(),
  })
  .openapi('CommissionRate');
const Body = z.strictObject({
  basisPoints: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .openapi({ description: '1 bp = 0.01 %; 1000 = 10 %' }),
});
const IfMatchHeaders = z.object({
  'if-match': z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'The ETag read; required to change or delete an existing rate' }),
});

interface RateRow {
  scope: 'affiliate' | 'campaign';
  key: string;
  basis_points: number;
  version: number;
  updated_by: string;
  updated_at: Date;
}
const present = (row: RateRow) => ({
  scope: row.scope,
  key: row.key,
  basisPoints: row.basis_points,
  version: row.version,
  updatedBy: row.updated_by,
  updatedAt: row.updated_at.toISOString(),
});
const rateResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: RateSchema } },
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/admin/attribution/commission-rates',
  tags: ['staff'],
  summary: 'Every commission rate',
  responses: {
    200: {
      description: 'The rates',
      content: { 'application/json': { schema: z.object({ items: z.array(RateSchema) }) } },
    },
    ...staffProblems,
  },
});
const getRoute = createRoute({
  method: 'get',
  path: '/api/admin/attribution/commission-rates/{scope}/{key}',
  tags: ['staff'],
  summary: 'One rate with its ETag',
  request: { params: Params },
  responses: {
    200: rateResponse('The rate'),
    ...problemResponses({ 400: 'Bad scope or key', 404: 'No rate' }),
    ...staffProblems,
  },
});
const putRoute = createRoute({
  method: 'put',
  path: '/api/admin/attribution/commission-rates/{scope}/{key}',
  tags: ['staff'],
  summary: 'Create a rate (no If-Match), or change it (If-Match: its ETag)',
  request: {
    params: Params,
    headers: IfMatchHeaders,
    body: { required: true, content: { 'application/json': { schema: Body } } },
  },
  responses: {
    200: rateResponse('The changed rate'),
    201: rateResponse('The new rate'),
    ...problemResponses({
      400: 'Invalid input',
      412: 'If-Match names an old version',
      428: 'The rate exists: send If-Match',
    }),
    ...staffProblems,
  },
});
const deleteRoute = createRoute({
  method: 'delete',
  path: '/api/admin/attribution/commission-rates/{scope}/{key}',
  tags: ['staff'],
  summary: 'Remove a rate (If-Match required): the scope falls back to the next rule',
  request: { params: Params, headers: IfMatchHeaders },
  responses: {
    204: { description: 'Removed' },
    ...problemResponses({
      400: 'Bad scope or key',
      404: 'No rate',
      412: 'If-Match names an old version',
      428: 'Send If-Match',
    }),
    ...staffProblems,
  },
});

function checkIfMatch(header: string | undefined, current: RateRow): void {
  const ifMatch = parseIfMatch(header);
  if (ifMatch.kind === 'missing' || ifMatch.kind === 'any') {
    throw new Problem(
      428,
      'Send If-Match with the ETag you read: this rate exists.',
      {},
      { ETag: formatEtag(current.version) },
    );
  }
  if (!ifMatch.versions.includes(current.version)) {
    throw new Problem(
      412,
      'The rate changed since you read it.',
      {},
      { ETag: formatEtag(current.version) },
    );
  }
}

export function registerRateRoutes(app: OpenAPIHono<ServiceEnv>, deps: AttributionDeps): void {
  const { db } = deps;
  const find = async (scope: string, key: string) =>
    (
      await db.query<RateRow>(
        'SELECT * FROM attribution.commission_rate WHERE scope = $1 AND key = $2',
        [scope, key],
      )
    ).rows[0];

  app.openapi(listRoute, async (c) => {
    requirePermission(c, 'attribution:read');
    const { rows } = await db.query<RateRow>(
      'SELECT * FROM attribution.commission_rate ORDER BY scope, key',
    );
    return c.json({ items: rows.map(present) }, 200);
  });

  app.openapi(getRoute, async (c) => {
    requirePermission(c, 'attribution:read');
    const { scope, key } = c.req.valid('param');
    const row = await find(scope, key);
    if (!row) throw new Problem(404, `No ${scope} rate for ${JSON.stringify(key)}.`);
    return c.json(present(row), 200, { ETag: formatEtag(row.version) });
  });

  app.openapi(putRoute, async (c) => {
    const updatedBy = requirePermission(c, 'attribution:rates').userId;
    const { scope, key } = c.req.valid('param');
    const { basisPoints } = c.req.valid('json');
    const header = c.req.valid('header')['if-match'];
    const now = deps.clock();
    const current = await find(scope, key);
    if (!current) {
      if (parseIfMatch(header).kind !== 'missing')
        throw new Problem(412, `No ${scope} rate for ${JSON.stringify(key)} to match.`);
      const { rows } = await db.query<RateRow>(
        `INSERT INTO attribution.commission_rate (scope, key, basis_points, version, updated_by, updated_at)
         VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT DO NOTHING RETURNING *`,
        [scope, key, basisPoints, updatedBy, now],
      );
      const created = rows[0];
      if (!created)
        throw new Problem(412, 'Someone created this rate at the same time: read it and retry.');
      return c.json(present(created), 201, { ETag: formatEtag(created.version) });
    }
    checkIfMatch(header, current);
    const { rows } = await db.query<RateRow>(
      `UPDATE attribution.commission_rate SET basis_points = $3, version = version + 1, updated_by = $4, updated_at = $5
       WHERE scope = $1 AND key = $2 AND version = $6 RETURNING *`,
      [scope, key, basisPoints, updatedBy, now, current.version],
    );
    const updated = rows[0];
    if (!updated) throw new Problem(412, 'The rate changed since you read it.');
    return c.json(present(updated), 200, { ETag: formatEtag(updated.version) });
  });

  app.openapi(deleteRoute, async (c) => {
    requirePermission(c, 'attribution:rates');
    const { scope, key } = c.req.valid('param');
    const current = await find(scope, key);
    if (!current) throw new Problem(404, `No ${scope} rate for ${JSON.stringify(key)}.`);
    checkIfMatch(c.req.valid('header')['if-match'], current);
    const { rowCount } = await db.query(
      'DELETE FROM attribution.commission_rate WHERE scope = $1 AND key = $2 AND version = $3',
      [scope, key, current.version],
    );
    if (rowCount === 0) throw new Problem(412, 'The rate changed since you read it.');
    return c.body(null, 204);
  });
}
