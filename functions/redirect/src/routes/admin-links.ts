// /api/admin/links — staff create, edit, disable and list tracked links, and read their stats
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { hash as hashArgon2 } from '@node-rs/argon2';
import {
  decodeOpaqueCursor,
  encodeOpaqueCursor,
  formatEtag,
  newId,
  PgErrorCode,
  Problem,
  parseIfMatch,
  pgErrorCode,
  problemResponses,
  requirePermission,
  type ServiceEnv,
  text,
} from '@shop/shared';
import type { RedirectDeps } from '../deps.js';
import {
  buildLinkChangedEvent,
  buildLinkCreatedEvent,
  changedFields,
  type LinkChange,
} from '../domain/build-link-changed-event.js';
import { checkDestinations } from '../domain/check-destinations.js';
import type { Link } from '../domain/link.js';
import { codeKeyOf, normalizeCode } from '../domain/normalize-code.js';
import { events } from '../events.js';
import { dailyClicks, findLinkById, insertLink, listLinks, updateLink } from '../store.js';

// OWASP's argon2id floor (m=19 MiB, t=2, p=1); `Algorithm.Argon2id` is a const enum: 2.
const ARGON2ID = { memoryCost: 19456, timeCost: 2, parallelism: 1, algorithm: 2 as const };
const WARNING_301 =
  'Browsers cache a 301 for good: a visitor who followed this link once goes straight to the destination afterwards, and those clicks are not counted. Use 302 unless the move is permanent.';

const CodeSchema = text({ max: 64 })
  .transform((value, ctx) => {
    const code = normalizeCode(value);
    if (code === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be 1–64 letters, digits, marks, - or _ (any script)',
      });
      return z.NEVER;
    }
    return code;
  })
  .openapi({ type: 'string', example: 'summer-sale' });
const UrlSchema = z.string().max(2048).openapi({ example: 'https://shop.example/summer' });
const Label = text({ max: 200 });
const UtmSchema = z
  .strictObject({
    source: Label.optional(),
    medium: Label.optional(),
    campaign: Label.optional(),
    term: Label.optional(),
    content: Label.optional(),
  })
  .openapi('LinkUtm', { description: 'Added to the destination as utm_<name> unless it has one.' });
const RuleSchema = z
  .strictObject({
    countries: z
      .array(z.string().regex(/^[A-Z]{2}$/, 'must be ISO 3166-1 alpha-2 (DE, FR…)'))
      .min(1)
      .max(50)
      .optional(),
    devices: z
      .array(z.enum(['desktop', 'mobile', 'tablet', 'tv', 'other']))
      .min(1)
      .optional(),
    os: z
      .array(z.string().regex(/^[a-z0-9]{2,30}$/, 'must be a lower-case OS name (ios, android…)'))
      .min(1)
      .max(10)
      .optional(),
    languages: z
      .array(z.string().regex(/^[a-z]{2,3}$/, 'must be a primary language subtag (de, fr…)'))
      .min(1)
      .max(20)
      .optional(),
    destinationUrl: UrlSchema,
  })
  .refine((rule) => rule.countries || rule.devices || rule.os || rule.languages, {
    message: 'name at least one condition (countries, devices, os or languages)',
  })
  .openapi('LinkRule');
const VariantSchema = z
  .strictObject({ destinationUrl: UrlSchema, weight: z.number().int().min(1).max(1000) })
  .openapi('LinkVariant');
const Variants = z
  .array(VariantSchema)
  .max(10)
  .refine((variants) => variants.length !== 1, 'an A/B split needs at least two destinations');
const Password = z
  .string()
  .min(8)
  .max(200)
  .refine((value) => value.isWellFormed(), 'must be well-formed Unicode');

const LinkFields = {
  destinationUrl: UrlSchema,
  caseSensitive: z.boolean(),
  affiliateId: Label.nullable(),
  campaign: Label.nullable(),
  utm: UtmSchema,
  redirectStatus: z.union([z.literal(301), z.literal(302)]),
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
  expiredUrl: UrlSchema.nullable(),
  rules: z.array(RuleSchema).max(20),
  variants: Variants,
  password: Password.nullable().openapi({ description: 'Set, change or (null) remove.' }),
};

const CreateLinkBody = z
  .strictObject({
    code: CodeSchema,
    destinationUrl: LinkFields.destinationUrl,
    caseSensitive: LinkFields.caseSensitive.default(false),
    affiliateId: LinkFields.affiliateId.default(null),
    campaign: LinkFields.campaign.default(null),
    utm: LinkFields.utm.default({}),
    redirectStatus: LinkFields.redirectStatus.default(302),
    expiresAt: LinkFields.expiresAt.default(null),
    expiredUrl: LinkFields.expiredUrl.default(null),
    rules: LinkFields.rules.default([]),
    variants: LinkFields.variants.default([]),
    password: LinkFields.password.default(null),
  })
  .openapi('NewLink');

const UpdateLinkBody = z
  .strictObject({ code: CodeSchema, ...LinkFields })
  .partial()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'name at least one field to change',
  })
  .openapi('LinkChanges');

const LinkSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    path: z.string().openapi({ example: '/r/summer-sale' }),
    caseSensitive: z.boolean(),
    destinationUrl: z.string(),
    affiliateId: z.string().nullable(),
    campaign: z.string().nullable(),
    utm: UtmSchema,
    status: z.enum(['active', 'disabled']),
    redirectStatus: z.union([z.literal(301), z.literal(302)]),
    expiresAt: z.string().nullable(),
    expiredUrl: z.string().nullable(),
    rules: z.array(RuleSchema),
    variants: z.array(VariantSchema),
    hasPassword: z.boolean(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    createdBy: z.string().nullable(),
    warnings: z
      .array(z.string())
      .openapi({ description: 'What staff should know (301 caching…).' }),
  })
  .openapi('Link');

const LinkPageSchema = z
  .object({ items: z.array(LinkSchema), nextCursor: z.string().nullable() })
  .openapi('LinkPage');

const StatsSchema = z
  .object({
    linkId: z.uuid(),
    days: z.array(
      z.object({ day: z.string(), clicks: z.number().int(), botClicks: z.number().int() }),
    ),
    totals: z.object({ clicks: z.number().int(), botClicks: z.number().int() }),
  })
  .openapi('LinkStats');

const IdParams = z.object({
  id: z
    .guid()
    .toLowerCase()
    .openapi({ param: { name: 'id', in: 'path' }, format: 'uuid' }),
});
const EditHeaders = z.object({
  'if-match': z.string().max(500).optional().openapi({
    description: 'Optional: the ETag (W/"<version>") you last read; a newer version answers 412.',
  }),
});
const ListQuery = z.object({
  q: text({ max: 200 }).optional(),
  status: z.enum(['active', 'disabled']).optional(),
  affiliateId: Label.optional(),
  campaign: Label.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(1000).optional(),
});
const StatsQuery = z.object({ days: z.coerce.number().int().min(1).max(400).default(30) });

const json = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
const linkResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: LinkSchema } },
});
const staffProblems = problemResponses({
  401: 'No valid access token',
  403: 'The caller is not staff, or lacks the permission',
});
const editProblems = problemResponses({
  400: 'Invalid input, or a destination refused by the open-redirect policy',
  404: 'No link with this id',
  409: 'The code is taken by another link',
  412: 'If-Match names an old version',
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/admin/links',
  tags: ['staff'],
  summary: 'List links, newest first: search (q) in code, destination, affiliate, campaign',
  request: { query: ListQuery },
  responses: {
    200: { description: 'A page', content: { 'application/json': { schema: LinkPageSchema } } },
    ...problemResponses({ 400: 'Invalid parameters or cursor' }),
    ...staffProblems,
  },
});
const createRouteDef = createRoute({
  method: 'post',
  path: '/api/admin/links',
  tags: ['staff'],
  summary: 'Create a link (records shop.link.created and shop.link.changed)',
  request: { body: json(CreateLinkBody) },
  responses: {
    201: linkResponse('The new link'),
    ...problemResponses({
      400: 'Invalid input, or a destination refused by the open-redirect policy',
      409: 'The code is taken by another link',
    }),
    ...staffProblems,
  },
});
const getRoute = createRoute({
  method: 'get',
  path: '/api/admin/links/{id}',
  tags: ['staff'],
  summary: 'One link',
  request: { params: IdParams },
  responses: {
    200: linkResponse('The link'),
    ...problemResponses({ 400: 'The id is not a uuid', 404: 'No link with this id' }),
    ...staffProblems,
  },
});
const updateRoute = createRoute({
  method: 'patch',
  path: '/api/admin/links/{id}',
  tags: ['staff'],
  summary: 'Change any field (records shop.link.changed)',
  request: { params: IdParams, headers: EditHeaders, body: json(UpdateLinkBody) },
  responses: { 200: linkResponse('The link after the change'), ...editProblems, ...staffProblems },
});
const statusRoute = (action: 'disable' | 'enable') =>
  createRoute({
    method: 'post',
    path: `/api/admin/links/{id}/${action}`,
    tags: ['staff'],
    summary:
      action === 'disable'
        ? 'Disable: /r/:code answers 410 (records shop.link.changed)'
        : 'Enable a disabled link again (records shop.link.changed)',
    request: { params: IdParams, headers: EditHeaders },
    responses: { 200: linkResponse('The link'), ...editProblems, ...staffProblems },
  });
const statsRoute = createRoute({
  method: 'get',
  path: '/api/admin/links/{id}/stats',
  tags: ['staff'],
  summary: 'Clicks per UTC day (repeat clicks within the hour counted once; bots apart)',
  request: { params: IdParams, query: StatsQuery },
  responses: {
    200: { description: 'Daily counts', content: { 'application/json': { schema: StatsSchema } } },
    ...problemResponses({ 400: 'Invalid parameters', 404: 'No link with this id' }),
    ...staffProblems,
  },
});

function present(link: Link) {
  const utm: Record<string, string> = {};
  for (const [name, value] of Object.entries(link.utm)) utm[name.replace(/^utm_/, '')] = value;
  return {
    id: link.id,
    code: link.code,
    path: `/r/${encodeURIComponent(link.code)}`,
    caseSensitive: link.caseSensitive,
    destinationUrl: link.destinationUrl,
    affiliateId: link.affiliateId,
    campaign: link.campaign,
    utm,
    status: link.status,
    redirectStatus: link.redirectStatus,
    expiresAt: link.expiresAt?.toISOString() ?? null,
    expiredUrl: link.expiredUrl,
    rules: link.rules,
    variants: link.variants,
    hasPassword: link.passwordHash !== null,
    version: link.version,
    createdAt: link.createdAt.toISOString(),
    updatedAt: link.updatedAt.toISOString(),
    createdBy: link.createdBy,
    warnings: link.redirectStatus === 301 ? [WARNING_301] : [],
  };
}

const utmParams = (utm: z.infer<typeof UtmSchema>) =>
  Object.fromEntries(
    Object.entries(utm)
      .filter(([, value]) => value !== undefined && value !== '')
      .map(([name, value]) => [`utm_${name}`, value as string]),
  );

function notFound(id: string): Problem {
  return new Problem(404, `No link ${id}.`);
}

function refusedDestinations(errors: { name: string; reason: string }[]): Problem {
  return new Problem(
    400,
    'A destination is refused: links may only send visitors to the shop’s own https hosts.',
    {
      type: 'https://shop.example/problems/unsafe-destination',
      title: 'Destination refused',
      errors,
    },
  );
}

function codeTaken(error: unknown, code: string | undefined): unknown {
  if (pgErrorCode(error) !== PgErrorCode.uniqueViolation) return error;
  return new Problem(409, `The code ${JSON.stringify(code)} is taken by another link.`, {
    type: 'https://shop.example/problems/code-taken',
    errors: [
      {
        name: 'json.code',
        reason: 'is taken by another link (codes compare without case unless caseSensitive)',
      },
    ],
  });
}

/** Registers the staff routes; the kit and the gateway let only staff through. */
export function registerAdminLinkRoutes(app: OpenAPIHono<ServiceEnv>, deps: RedirectDeps): void {
  const { db, clock, links, settings, onEventsRecorded } = deps;

  /** Writes the change and its events in one transaction, then drops the cached codes. */
  async function edit(
    id: string,
    ifMatchHeader: string | undefined,
    plan: (
      current: Link,
    ) => Promise<{ next: Link; change: LinkChange }> | { next: Link; change: LinkChange },
    changedBy: string | null,
  ): Promise<Link> {
    const ifMatch = parseIfMatch(ifMatchHeader);
    let codes: string[] = [];
    const link = await db.transaction(async (tx) => {
      const current = await findLinkById(tx, id, { lock: true });
      if (!current) throw notFound(id);
      if (ifMatch.kind === 'versions' && !ifMatch.versions.includes(current.version)) {
        throw new Problem(
          412,
          `The link changed since you read it: it is at version ${current.version}.`,
          { type: 'https://shop.example/problems/stale-version', currentVersion: current.version },
          { ETag: formatEtag(current.version) },
        );
      }
      const { next, change } = await plan(current);
      if (changedFields(current, next).length === 0) return current;
      const updated = await updateLink(
        tx,
        { ...next, version: current.version + 1, updatedAt: clock() },
        current.version,
      );
      if (!updated) throw new Problem(412, 'The link changed since you read it.');
      await events.write(tx, buildLinkChangedEvent(change, current, updated, changedBy));
      codes = [current.code, updated.code];
      return updated;
    });
    if (codes.length > 0) {
      onEventsRecorded();
      await links.forget(codes);
    }
    return link;
  }

  app.openapi(listRoute, async (c) => {
    requirePermission(c, 'links:read');
    const query = c.req.valid('query');
    let after: { createdAt: Date; id: string } | undefined;
    if (query.cursor) {
      const payload = decodeOpaqueCursor(query.cursor);
      const createdAt = typeof payload?.t === 'string' ? new Date(payload.t) : undefined;
      if (
        !createdAt ||
        Number.isNaN(createdAt.getTime()) ||
        typeof payload?.i !== 'string' ||
        !/^[0-9a-f-]{36}$/.test(payload.i)
      ) {
        throw new Problem(400, 'The cursor is not one this listing gave.', {
          errors: [{ name: 'query.cursor', reason: 'is not a cursor of this listing' }],
        });
      }
      after = { createdAt, id: payload.i };
    }
    const rows = await listLinks(db, {
      ...(query.q && { q: query.q }),
      ...(query.status && { status: query.status }),
      ...(query.affiliateId && { affiliateId: query.affiliateId }),
      ...(query.campaign && { campaign: query.campaign }),
      limit: query.limit,
      ...(after && { after }),
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > query.limit && last
        ? encodeOpaqueCursor({ t: last.createdAt.toISOString(), i: last.id })
        : null;
    return c.json({ items: page.map(present), nextCursor }, 200);
  });

  app.openapi(createRouteDef, async (c) => {
    const input = c.req.valid('json');
    const createdBy = requirePermission(c, 'links:write').userId;
    const checked = checkDestinations(input, settings.destinationPolicy);
    if (checked.errors.length > 0) throw refusedDestinations(checked.errors);
    const now = clock();
    const candidate: Link = {
      id: newId(),
      code: input.code,
      codeKey: codeKeyOf(input.code, input.caseSensitive),
      caseSensitive: input.caseSensitive,
      destinationUrl: checked.fields.destinationUrl as string,
      affiliateId: input.affiliateId,
      campaign: input.campaign,
      utm: utmParams(input.utm),
      status: 'active',
      redirectStatus: input.redirectStatus,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      expiredUrl: checked.fields.expiredUrl ?? null,
      rules: checked.fields.rules ? [...checked.fields.rules] : [],
      variants: checked.fields.variants ? [...checked.fields.variants] : [],
      passwordHash: input.password
        ? await hashArgon2(input.password.normalize('NFC'), ARGON2ID)
        : null,
      version: 1,
      createdAt: now,
      updatedAt: now,
      createdBy,
    };
    const link = await db
      .transaction(async (tx) => {
        const created = await insertLink(tx, candidate);
        if (!created) throw new Error('insert returned no row');
        await events.write(tx, buildLinkCreatedEvent(created, createdBy));
        await events.write(tx, buildLinkChangedEvent('created', null, created, createdBy));
        return created;
      })
      .catch((error: unknown) => {
        throw codeTaken(error, input.code);
      });
    onEventsRecorded();
    // A miss for this code may be cached (someone tried it before it existed).
    await links.forget([link.code]);
    return c.json(present(link), 201, {
      Location: `/api/admin/links/${link.id}`,
      ETag: formatEtag(link.version),
    });
  });

  app.openapi(getRoute, async (c) => {
    requirePermission(c, 'links:read');
    const { id } = c.req.valid('param');
    const link = await findLinkById(db, id);
    if (!link) throw notFound(id);
    return c.json(present(link), 200, { ETag: formatEtag(link.version) });
  });

  app.openapi(updateRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const changedBy = requirePermission(c, 'links:write').userId;
    const checked = checkDestinations(input, settings.destinationPolicy);
    if (checked.errors.length > 0) throw refusedDestinations(checked.errors);
    const link = await edit(
      id,
      c.req.valid('header')['if-match'],
      async (current) => {
        const code = input.code ?? current.code;
        const caseSensitive = input.caseSensitive ?? current.caseSensitive;
        const next: Link = {
          ...current,
          code,
          caseSensitive,
          codeKey: codeKeyOf(code, caseSensitive),
          ...(checked.fields.destinationUrl !== undefined && {
            destinationUrl: checked.fields.destinationUrl,
          }),
          ...(input.affiliateId !== undefined && { affiliateId: input.affiliateId }),
          ...(input.campaign !== undefined && { campaign: input.campaign }),
          ...(input.utm !== undefined && { utm: utmParams(input.utm) }),
          ...(input.redirectStatus !== undefined && { redirectStatus: input.redirectStatus }),
          ...(input.expiresAt !== undefined && {
            expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
          }),
          ...(checked.fields.expiredUrl !== undefined && { expiredUrl: checked.fields.expiredUrl }),
          ...(checked.fields.rules !== undefined && { rules: [...checked.fields.rules] }),
          ...(checked.fields.variants !== undefined && { variants: [...checked.fields.variants] }),
        };
        if (input.password !== undefined) {
          next.passwordHash = input.password
            ? await hashArgon2(input.password.normalize('NFC'), ARGON2ID)
            : null;
        }
        return { next, change: 'updated' };
      },
      changedBy,
    ).catch((error: unknown) => {
      throw codeTaken(error, input.code);
    });
    return c.json(present(link), 200, { ETag: formatEtag(link.version) });
  });

  for (const action of ['disable', 'enable'] as const) {
    app.openapi(statusRoute(action), async (c) => {
      const { id } = c.req.valid('param');
      const changedBy = requirePermission(c, 'links:write').userId;
      const link = await edit(
        id,
        c.req.valid('header')['if-match'],
        (current) => ({
          next: { ...current, status: action === 'disable' ? 'disabled' : 'active' },
          change: action === 'disable' ? 'disabled' : 'enabled',
        }),
        changedBy,
      );
      return c.json(present(link), 200, { ETag: formatEtag(link.version) });
    });
  }

  app.openapi(statsRoute, async (c) => {
    requirePermission(c, 'links:read');
    const { id } = c.req.valid('param');
    const { days } = c.req.valid('query');
    const link = await findLinkById(db, id);
    if (!link) throw notFound(id);
    const since = new Date(clock().getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    const rows = await dailyClicks(db, id, since);
    const totals = rows.reduce(
      (sum, row) => ({ clicks: sum.clicks + row.clicks, botClicks: sum.botClicks + row.botClicks }),
      { clicks: 0, botClicks: 0 },
    );
    return c.json({ linkId: id, days: rows, totals }, 200);
  });
}
