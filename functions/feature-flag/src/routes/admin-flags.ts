// /api/admin/flags — staff create, edit, toggle, roll out, schedule, archive, import and export
// flags (flagd's format), per environment, with If-Match and a history of every change
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  formatEtag,
  newId,
  Problem,
  parseIfMatch,
  problemResponses,
  requirePermission,
  type ServiceEnv,
  text,
} from '@shop/shared';
import type { Context } from 'hono';
import type { FeatureFlagDeps } from '../deps.js';
import { ENVIRONMENTS, type Environment, type FlagDefinition } from '../domain/flag-types.js';
import { RolloutError, rolloutPercentOf, setRollout } from '../domain/set-rollout.js';
import { changeFlag, type FlagChange, importFlagSet } from '../flag-changes.js';
import {
  cancelScheduled,
  type FlagRow,
  getFlag,
  insertScheduled,
  listFlags,
  listHistory,
  listScheduled,
  readFlagSet,
  type ScheduledRow,
} from '../store.js';

const KeySchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'is 1-128 letters, digits, "_", ".", ":" or "-"')
  .openapi({ example: 'new-checkout' });
const EnvironmentQuery = z.object({
  environment: z.enum(ENVIRONMENTS).optional().openapi({
    description: 'dev, staging or prod; default the environment this instance serves.',
  }),
});
const KeyParams = z.object({ key: KeySchema });
const EditHeaders = z.object({
  'if-match': z.string().max(500).optional().openapi({
    description: 'Optional: the ETag (W/"<version>") you last read; a newer version answers 412.',
  }),
});
// The definition's content is checked by flagd's schema (validate-flag-set), which names the
// flag and the path; zod only makes sure it is an object.
const DefinitionSchema = z.record(z.string(), z.unknown()).openapi('FlagdFlag', {
  description: 'A flag in flagd format: state, variants, defaultVariant, targeting, metadata.',
  example: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' },
});
const FlagSchema = z
  .object({
    key: z.string(),
    environment: z.enum(ENVIRONMENTS),
    definition: DefinitionSchema,
    enabled: z.boolean(),
    rolloutPercent: z.int(),
    version: z.int(),
    archived: z.boolean(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('Flag');
const ScheduledSchema = z
  .object({
    id: z.string(),
    runAt: z.string(),
    change: z.object({
      rolloutPercent: z.int().optional(),
      state: z.enum(['ENABLED', 'DISABLED']).optional(),
    }),
    createdBy: z.string(),
    status: z.enum(['pending', 'applied', 'failed', 'cancelled']),
    outcome: z.string().nullable(),
  })
  .openapi('ScheduledFlagChange');
const HistorySchema = z
  .object({
    id: z.int(),
    version: z.int(),
    change: z.string(),
    before: DefinitionSchema.nullable(),
    after: DefinitionSchema.nullable(),
    diff: z.array(
      z.object({ path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() }),
    ),
    changedBy: z.string(),
    changedAt: z.string(),
  })
  .openapi('FlagHistoryEntry');

const json = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
const ok = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const flagResponse = (description: string) => ok(FlagSchema, description);
/** What every change of one flag takes: its key, the environment, an optional If-Match. */
const editRequest = { params: KeyParams, query: EnvironmentQuery, headers: EditHeaders };
const editResponses = (refusal?: string) => ({
  200: flagResponse('Changed'),
  ...(refusal
    ? problemResponses({ 400: refusal, 404: 'No such flag', 412: 'Changed since read' })
    : problemResponses({ 404: 'No such flag', 412: 'Changed since read' })),
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/admin/flags',
  summary: 'The flags of an environment',
  request: { query: EnvironmentQuery },
  responses: {
    200: ok(
      z.object({ environment: z.string(), revision: z.int(), items: z.array(FlagSchema) }),
      'Flags',
    ),
    ...problemResponses({ 400: 'Invalid query' }),
  },
});
const createFlagRoute = createRoute({
  method: 'post',
  path: '/api/admin/flags',
  summary: 'Create a flag; records shop.flag.changed',
  request: {
    body: json(
      z.strictObject({
        key: KeySchema,
        environment: z.enum(ENVIRONMENTS).optional(),
        definition: DefinitionSchema,
      }),
    ),
  },
  responses: {
    201: flagResponse('Created'),
    ...problemResponses({ 400: 'Not a valid flagd definition', 409: 'The key is taken' }),
  },
});
const exportRoute = createRoute({
  method: 'get',
  path: '/api/admin/flags/export',
  summary: 'The environment as a flagd flag set file (import round-trips it)',
  request: { query: EnvironmentQuery },
  responses: { 200: ok(z.record(z.string(), z.unknown()).openapi('FlagdFlagSet'), 'flagd JSON') },
});
const importRoute = createRoute({
  method: 'put',
  path: '/api/admin/flags/import',
  summary: 'Replace the environment with a flagd flag set file; flags missing from it are archived',
  request: {
    query: EnvironmentQuery,
    headers: z.object({
      'if-match': z
        .string()
        .max(500)
        .optional()
        .openapi({ description: 'The export\'s ETag (W/"<revision>")' }),
    }),
    body: json(z.record(z.string(), z.unknown()).openapi('FlagdFlagSet')),
  },
  responses: {
    200: ok(
      z.object({
        revision: z.int(),
        created: z.array(z.string()),
        updated: z.array(z.string()),
        archived: z.array(z.string()),
        unchanged: z.array(z.string()),
      }),
      'Imported',
    ),
    ...problemResponses({ 400: 'Not a valid flagd file', 412: 'The set changed since the export' }),
  },
});
const getRoute = createRoute({
  method: 'get',
  path: '/api/admin/flags/{key}',
  summary: 'One flag with its ETag',
  request: { params: KeyParams, query: EnvironmentQuery },
  responses: { 200: flagResponse('The flag'), ...problemResponses({ 404: 'No such flag' }) },
});
const putRoute = createRoute({
  method: 'put',
  path: '/api/admin/flags/{key}',
  summary: 'Replace the definition (If-Match); records shop.flag.changed',
  request: {
    ...editRequest,
    body: json(z.strictObject({ definition: DefinitionSchema })),
  },
  responses: editResponses('Not a valid flagd definition'),
});
const toggleRoute = createRoute({
  method: 'post',
  path: '/api/admin/flags/{key}/toggle',
  summary: 'Enable or disable (state ENABLED/DISABLED)',
  request: {
    ...editRequest,
    body: json(z.strictObject({ enabled: z.boolean() })),
  },
  responses: editResponses(),
});
const rolloutRoute = createRoute({
  method: 'put',
  path: '/api/admin/flags/{key}/rollout',
  summary: 'Roll out to a percentage of users (a flagd fractional over two variants)',
  request: {
    ...editRequest,
    body: json(
      z.strictObject({
        percent: z.int().min(0).max(100),
        variant: text({ max: 128 }).optional(),
        otherVariant: text({ max: 128 }).optional(),
      }),
    ),
  },
  responses: editResponses('Not a rollout this flag can take'),
});
const archiveRoute = createRoute({
  method: 'delete',
  path: '/api/admin/flags/{key}',
  summary: 'Archive: evaluations answer FLAG_NOT_FOUND; history kept',
  request: editRequest,
  responses: {
    200: flagResponse('Archived'),
    ...problemResponses({ 404: 'No such flag', 412: 'Changed since read' }),
  },
});
const historyRoute = createRoute({
  method: 'get',
  path: '/api/admin/flags/{key}/history',
  summary: 'Every change, newest first, with diffs and the staff member who made it',
  request: {
    params: KeyParams,
    query: EnvironmentQuery.extend({
      limit: z.coerce.number().int().min(1).max(100).default(50),
      before: z.coerce
        .number()
        .int()
        .min(1)
        .optional()
        .openapi({ description: 'nextBefore of the previous page' }),
    }),
  },
  responses: {
    200: ok(z.object({ items: z.array(HistorySchema), nextBefore: z.int().nullable() }), 'History'),
    ...problemResponses({ 404: 'No such flag' }),
  },
});
const StepSchema = z
  .strictObject({
    at: z.iso.datetime({ offset: true }),
    rolloutPercent: z.int().min(0).max(100).optional(),
    state: z.enum(['ENABLED', 'DISABLED']).optional(),
  })
  .refine((step) => (step.rolloutPercent === undefined) !== (step.state === undefined), {
    message: 'a step sets either rolloutPercent or state',
  });
const scheduleRoute = createRoute({
  method: 'post',
  path: '/api/admin/flags/{key}/schedule',
  summary: 'Schedule steps (e.g. 10 % → 50 % → 100 % at set times)',
  request: {
    params: KeyParams,
    query: EnvironmentQuery,
    body: json(z.strictObject({ steps: z.array(StepSchema).min(1).max(20) })),
  },
  responses: {
    201: ok(z.object({ items: z.array(ScheduledSchema) }), 'Scheduled'),
    ...problemResponses({ 400: 'A step in the past or not applicable', 404: 'No such flag' }),
  },
});
const listScheduleRoute = createRoute({
  method: 'get',
  path: '/api/admin/flags/{key}/schedule',
  summary: 'Scheduled changes of the flag, pending and done',
  request: { params: KeyParams, query: EnvironmentQuery },
  responses: {
    200: ok(z.object({ items: z.array(ScheduledSchema) }), 'Scheduled'),
    ...problemResponses({ 404: 'No such flag' }),
  },
});
const cancelScheduleRoute = createRoute({
  method: 'delete',
  path: '/api/admin/flags/{key}/schedule/{id}',
  summary: 'Cancel a pending scheduled change',
  request: { params: KeyParams.extend({ id: z.uuid() }), query: EnvironmentQuery },
  responses: {
    204: { description: 'Cancelled' },
    ...problemResponses({ 404: 'No pending change with that id' }),
  },
});

/** Registers the staff routes; every one answers staff only (the kit), each with its permission (README). */
export function registerAdminFlagRoutes(app: OpenAPIHono<ServiceEnv>, deps: FeatureFlagDeps): void {
  const { db } = deps;
  const envOf = (query: { environment?: Environment | undefined }) =>
    query.environment ?? deps.environment;

  const write = async (
    c: Context<ServiceEnv>,
    change: Omit<FlagChange, 'by'>,
  ): Promise<FlagRow> => {
    const by = requirePermission(c, 'flags:write').userId;
    const written = await db.transaction((tx) => changeFlag(tx, deps, { ...change, by }));
    if (written.changed) await afterChange(deps);
    c.header('ETag', formatEtag(written.flag.version));
    return written.flag;
  };

  app.openapi(listRoute, async (c) => {
    requirePermission(c, 'flags:read');
    const environment = envOf(c.req.valid('query'));
    const { revision } = await readFlagSet(db, environment);
    const items = (await listFlags(db, environment)).map(toView);
    return c.json({ environment, revision, items }, 200);
  });

  app.openapi(createFlagRoute, async (c) => {
    const body = c.req.valid('json');
    const environment = body.environment ?? deps.environment;
    const flag = await write(c, {
      environment,
      key: body.key,
      ifMatch: { kind: 'missing' },
      mode: 'create',
      apply: () => ({ definition: body.definition as unknown as FlagDefinition }),
    });
    c.header(
      'Location',
      `/api/admin/flags/${encodeURIComponent(flag.key)}?environment=${environment}`,
    );
    return c.json(toView(flag), 201);
  });

  app.openapi(exportRoute, async (c) => {
    requirePermission(c, 'flags:read');
    const environment = envOf(c.req.valid('query'));
    const { revision, document } = await readFlagSet(db, environment);
    c.header('ETag', formatEtag(revision));
    c.header('Content-Disposition', `attachment; filename="flags.${environment}.flagd.json"`);
    return c.json(document as unknown as Record<string, unknown>, 200);
  });

  app.openapi(importRoute, async (c) => {
    const by = requirePermission(c, 'flags:write').userId;
    const environment = envOf(c.req.valid('query'));
    const result = await db.transaction((tx) =>
      importFlagSet(tx, deps, {
        environment,
        document: c.req.valid('json'),
        by,
        ifMatch: parseIfMatch(c.req.valid('header')['if-match']),
      }),
    );
    await afterChange(deps);
    c.header('ETag', formatEtag(result.revision));
    return c.json(result, 200);
  });

  app.openapi(getRoute, async (c) => {
    requirePermission(c, 'flags:read');
    const { key } = c.req.valid('param');
    const flag = await liveFlag(deps, envOf(c.req.valid('query')), key);
    c.header('ETag', formatEtag(flag.version));
    return c.json(toView(flag), 200);
  });

  app.openapi(putRoute, async (c) => {
    const { key } = c.req.valid('param');
    const definition = c.req.valid('json').definition as unknown as FlagDefinition;
    const flag = await write(c, {
      environment: envOf(c.req.valid('query')),
      key,
      ifMatch: parseIfMatch(c.req.valid('header')['if-match']),
      mode: 'update',
      apply: () => ({ definition }),
    });
    return c.json(toView(flag), 200);
  });

  app.openapi(toggleRoute, async (c) => {
    const { key } = c.req.valid('param');
    const { enabled } = c.req.valid('json');
    const flag = await write(c, {
      environment: envOf(c.req.valid('query')),
      key,
      ifMatch: parseIfMatch(c.req.valid('header')['if-match']),
      mode: 'update',
      apply: (current) => ({
        definition: { ...(current as FlagDefinition), state: enabled ? 'ENABLED' : 'DISABLED' },
      }),
    });
    return c.json(toView(flag), 200);
  });

  app.openapi(rolloutRoute, async (c) => {
    const { key } = c.req.valid('param');
    const { percent, variant, otherVariant } = c.req.valid('json');
    const flag = await write(c, {
      environment: envOf(c.req.valid('query')),
      key,
      ifMatch: parseIfMatch(c.req.valid('header')['if-match']),
      mode: 'update',
      apply: (current) => ({
        definition: rollout(current as FlagDefinition, percent, {
          ...(variant !== undefined && { variant }),
          ...(otherVariant !== undefined && { otherVariant }),
        }),
      }),
    });
    return c.json(toView(flag), 200);
  });

  app.openapi(archiveRoute, async (c) => {
    const { key } = c.req.valid('param');
    const flag = await write(c, {
      environment: envOf(c.req.valid('query')),
      key,
      ifMatch: parseIfMatch(c.req.valid('header')['if-match']),
      mode: 'update',
      apply: (current) => ({ definition: current as FlagDefinition, archived: true }),
    });
    return c.json(toView(flag), 200);
  });

  app.openapi(historyRoute, async (c) => {
    requirePermission(c, 'flags:read');
    const { key } = c.req.valid('param');
    const query = c.req.valid('query');
    const environment = envOf(query);
    if (!(await getFlag(db, environment, key)))
      throw new Problem(404, `No flag "${key}" in ${environment}.`);
    const rows = await listHistory(db, environment, key, {
      limit: query.limit + 1,
      ...(query.before !== undefined && { beforeId: query.before }),
    });
    const page = rows.slice(0, query.limit);
    const items = page.map((row) => ({
      ...row,
      before: row.before as unknown as Record<string, unknown> | null,
      after: row.after as unknown as Record<string, unknown> | null,
      changedAt: row.changedAt.toISOString(),
    }));
    const nextBefore = rows.length > query.limit ? (page.at(-1)?.id ?? null) : null;
    return c.json({ items, nextBefore }, 200);
  });

  app.openapi(scheduleRoute, async (c) => {
    const createdBy = requirePermission(c, 'flags:write').userId;
    const { key } = c.req.valid('param');
    const environment = envOf(c.req.valid('query'));
    const { steps } = c.req.valid('json');
    const now = deps.clock();
    const items = await db.transaction(async (tx) => {
      const flag = await getFlag(tx, environment, key, true);
      if (!flag || flag.archivedAt) throw new Problem(404, `No flag "${key}" in ${environment}.`);
      const rows: ScheduledRow[] = [];
      for (const [index, step] of steps.entries()) {
        const runAt = new Date(step.at);
        if (runAt.getTime() <= now.getTime()) {
          throw new Problem(400, `Step ${index} is not in the future.`, {
            errors: [{ name: `json.steps.${index}.at`, reason: 'must be in the future' }],
          });
        }
        if (step.rolloutPercent !== undefined) rollout(flag.definition, step.rolloutPercent, {});
        const change =
          step.rolloutPercent !== undefined
            ? { rolloutPercent: step.rolloutPercent }
            : { state: step.state as 'ENABLED' | 'DISABLED' };
        rows.push(
          await insertScheduled(tx, {
            id: newId(),
            environment,
            key,
            runAt,
            change,
            createdBy,
            now,
          }),
        );
      }
      return rows;
    });
    return c.json({ items: items.map(toScheduledView) }, 201);
  });

  app.openapi(listScheduleRoute, async (c) => {
    requirePermission(c, 'flags:read');
    const { key } = c.req.valid('param');
    const environment = envOf(c.req.valid('query'));
    if (!(await getFlag(db, environment, key)))
      throw new Problem(404, `No flag "${key}" in ${environment}.`);
    return c.json({ items: (await listScheduled(db, environment, key)).map(toScheduledView) }, 200);
  });

  app.openapi(cancelScheduleRoute, async (c) => {
    requirePermission(c, 'flags:write');
    const { key, id } = c.req.valid('param');
    const environment = envOf(c.req.valid('query'));
    if (!(await cancelScheduled(db, environment, key, id, deps.clock()))) {
      throw new Problem(404, 'No pending scheduled change with that id.');
    }
    return c.body(null, 204);
  });
}

/** After a commit: the relay publishes, this instance reloads, the others are told. */
export async function afterChange(
  deps: Pick<FeatureFlagDeps, 'onEventsRecorded' | 'flags'>,
): Promise<void> {
  deps.onEventsRecorded();
  await deps.flags.changed();
}

function rollout(
  definition: FlagDefinition,
  percent: number,
  variants: { variant?: string; otherVariant?: string },
): FlagDefinition {
  try {
    return setRollout(definition, percent, variants);
  } catch (error) {
    if (error instanceof RolloutError) throw new Problem(400, error.message);
    throw error;
  }
}

async function liveFlag(
  deps: FeatureFlagDeps,
  environment: Environment,
  key: string,
): Promise<FlagRow> {
  const flag = await getFlag(deps.db, environment, key);
  if (!flag || flag.archivedAt) throw new Problem(404, `No flag "${key}" in ${environment}.`);
  return flag;
}

function toView(flag: FlagRow) {
  return {
    key: flag.key,
    environment: flag.environment,
    definition: flag.definition as unknown as Record<string, unknown>,
    enabled: flag.archivedAt === null && flag.definition.state === 'ENABLED',
    rolloutPercent: rolloutPercentOf(flag.definition),
    version: flag.version,
    archived: flag.archivedAt !== null,
    createdAt: flag.createdAt.toISOString(),
    createdBy: flag.createdBy,
    updatedAt: flag.updatedAt.toISOString(),
    updatedBy: flag.updatedBy,
  };
}

function toScheduledView(row: ScheduledRow) {
  const status: 'pending' | 'applied' | 'failed' | 'cancelled' = row.cancelledAt
    ? 'cancelled'
    : row.appliedAt
      ? row.outcome === 'applied'
        ? 'applied'
        : 'failed'
      : 'pending';
  return {
    id: row.id,
    runAt: row.runAt.toISOString(),
    change: row.change,
    createdBy: row.createdBy,
    status,
    outcome: row.outcome,
  };
}
