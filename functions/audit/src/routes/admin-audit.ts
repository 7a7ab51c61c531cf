// /api/admin/audit — staff read the audit log (JSON pages or CSV), its signed checkpoints, RFC
// 6962/9162 proofs, and a verification of the stored entries against the published checkpoints
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  cursorFingerprint,
  decodeOpaqueCursor,
  encodeOpaqueCursor,
  Problem,
  problemResponses,
  requirePermission,
  type ServiceEnv,
  text,
} from '@shop/shared';
import { ProofRangeError } from '../audit-log.js';
import type { AuditDeps } from '../deps.js';
import { toCsv } from '../domain/to-csv.js';
import { type EntryFilter, listEntries, type StoredEntry } from '../store.js';

const EXPORT_MAX = 100_000;
const Label = text({ max: 300 });
const Instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const Index = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const FilterQuery = z.object({
  actor: Label.optional(),
  action: z
    .string()
    .regex(/^[a-z][a-z0-9_.]{0,99}$/, 'must be an event type such as shop.offer.price_changed')
    .optional(),
  targetType: Label.optional(),
  targetId: Label.optional(),
  from: Instant.optional().openapi({ description: 'occurredAt at or after (ISO-8601)' }),
  to: Instant.optional().openapi({ description: 'occurredAt before (ISO-8601)' }),
});
const ListQuery = FilterQuery.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
});

const EntrySchema = z
  .object({
    index: z.number().int(),
    action: z.string().openapi({ example: 'shop.offer.price_changed' }),
    actor: z.string().nullable(),
    target: z.object({ type: z.string(), id: z.string() }),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
    traceId: z.string().nullable(),
    occurredAt: z.string(),
    recordedAt: z.string(),
    source: z.string().openapi({ example: '/shop/offer' }),
    eventId: z.string(),
    leafHash: z.string().openapi({ description: 'base64 SHA-256(0x00 ‖ canonical JSON)' }),
  })
  .openapi('AuditEntry');
const PageSchema = z
  .object({ items: z.array(EntrySchema), nextCursor: z.string().nullable() })
  .openapi('AuditPage');
const InclusionSchema = z
  .object({
    index: z.number().int(),
    size: z.number().int(),
    leafHash: z.string(),
    proof: z.array(z.string()).openapi({ description: 'base64 hashes, leaf side first' }),
  })
  .openapi('InclusionProof');
const ConsistencySchema = z
  .object({ from: z.number().int(), to: z.number().int(), proof: z.array(z.string()) })
  .openapi('ConsistencyProof');
const VerifySchema = z
  .object({
    ok: z.boolean(),
    size: z.number().int(),
    checkpointsChecked: z.number().int(),
    latestCheckpoint: z.object({ size: z.number().int(), rootHash: z.string() }).nullable(),
    firstProblem: z
      .object({
        problem: z.enum([
          'entry_changed',
          'entry_missing',
          'checkpoint_mismatch',
          'checkpoint_invalid',
          'log_truncated',
        ]),
        index: z.number().int().optional(),
        checkpointSize: z.number().int().optional(),
        detail: z.string(),
      })
      .nullable(),
  })
  .openapi('AuditVerification');
const NoteText = {
  'text/plain': { schema: z.string().openapi({ description: 'C2SP signed note' }) },
};

const staffProblems = problemResponses({ 401: 'No valid access token', 403: 'Not staff' });

const listRoute = createRoute({
  method: 'get',
  path: '/api/admin/audit',
  tags: ['staff'],
  summary: 'Entries, newest first, filtered by actor, action, target and time',
  request: { query: ListQuery },
  responses: {
    200: { description: 'A page', content: { 'application/json': { schema: PageSchema } } },
    ...problemResponses({ 400: 'Invalid parameters or cursor' }),
    ...staffProblems,
  },
});
const exportRoute = createRoute({
  method: 'get',
  path: '/api/admin/audit/export.csv',
  tags: ['staff'],
  summary: `The filtered entries as CSV (RFC 4180, formula-safe), newest first, at most ${EXPORT_MAX}`,
  request: { query: FilterQuery },
  responses: {
    200: { description: 'CSV', content: { 'text/csv; charset=utf-8': { schema: z.string() } } },
    ...problemResponses({ 400: 'Invalid parameters' }),
    ...staffProblems,
  },
});
const checkpointRoute = createRoute({
  method: 'get',
  path: '/api/admin/audit/checkpoint',
  tags: ['staff'],
  summary: 'The newest published checkpoint (C2SP tlog-checkpoint in a signed note)',
  responses: {
    200: { description: 'The signed checkpoint', content: NoteText },
    ...problemResponses({ 404: 'No checkpoint yet' }),
    ...staffProblems,
  },
});
const makeCheckpointRoute = createRoute({
  method: 'post',
  path: '/api/admin/audit/checkpoint',
  tags: ['staff'],
  summary: 'Sign and publish a checkpoint of the current size now',
  responses: {
    201: { description: 'Published', content: NoteText },
    200: { description: 'This size was already published', content: NoteText },
    ...problemResponses({ 409: 'The log no longer extends the last checkpoint' }),
    ...staffProblems,
  },
});
const keyRoute = createRoute({
  method: 'get',
  path: '/api/admin/audit/checkpoint/key',
  tags: ['staff'],
  summary: 'The verifier key of the checkpoints (`<name>+<hex key hash>+<base64 key>`)',
  responses: {
    200: { description: 'The verifier key', content: NoteText },
    ...staffProblems,
  },
});
const inclusionRoute = createRoute({
  method: 'get',
  path: '/api/admin/audit/proof/inclusion',
  tags: ['staff'],
  summary: 'RFC 6962 §2.1.1 audit path of entry `index` in the tree of `size` entries',
  request: { query: z.object({ index: Index, size: Index }) },
  responses: {
    200: { description: 'The proof', content: { 'application/json': { schema: InclusionSchema } } },
    ...problemResponses({ 400: 'index ≥ size, or size beyond the log' }),
    ...staffProblems,
  },
});
const consistencyRoute = createRoute({
  method: 'get',
  path: '/api/admin/audit/proof/consistency',
  tags: ['staff'],
  summary: 'RFC 6962 §2.1.2 proof that the tree of `from` entries is a prefix of that of `to`',
  request: { query: z.object({ from: Index, to: Index }) },
  responses: {
    200: {
      description: 'The proof',
      content: { 'application/json': { schema: ConsistencySchema } },
    },
    ...problemResponses({ 400: 'from > to, or to beyond the log' }),
    ...staffProblems,
  },
});
const verifyRoute = createRoute({
  method: 'get',
  path: '/api/admin/audit/verify',
  tags: ['staff'],
  summary: 'Recompute every leaf and the tree against every published checkpoint',
  responses: {
    200: {
      description: 'The result; ok false names the first entry that no longer matches',
      content: { 'application/json': { schema: VerifySchema } },
    },
    ...staffProblems,
  },
});

const b64 = (hash: Buffer) => hash.toString('base64');
const present = (entry: StoredEntry) => ({
  index: entry.index,
  action: entry.action,
  actor: entry.actor,
  target: { type: entry.targetType, id: entry.targetId },
  before: entry.before,
  after: entry.after,
  requestId: entry.requestId,
  traceId: entry.traceId,
  occurredAt: entry.occurredAt,
  recordedAt: entry.recordedAt,
  source: entry.source,
  eventId: entry.eventId,
  leafHash: b64(entry.leafHash),
});
const filterOf = (query: z.infer<typeof FilterQuery>): EntryFilter => ({
  actor: query.actor,
  action: query.action,
  targetType: query.targetType,
  targetId: query.targetId,
  from: query.from,
  to: query.to,
});
const rangeProblem = (error: unknown): never => {
  if (error instanceof ProofRangeError) throw new Problem(400, error.message);
  throw error;
};

/** Registers the staff routes of the audit log (the kit answers non-staff before they run; each checks its permission). */
export function registerAdminAuditRoutes(app: OpenAPIHono<ServiceEnv>, deps: AuditDeps): void {
  const { db, auditLog } = deps;

  app.openapi(listRoute, async (c) => {
    requirePermission(c, 'audit:read');
    const query = c.req.valid('query');
    const filter = filterOf(query);
    const fingerprint = cursorFingerprint([
      filter.actor ?? null,
      filter.action ?? null,
      filter.targetType ?? null,
      filter.targetId ?? null,
      filter.from?.toISOString() ?? null,
      filter.to?.toISOString() ?? null,
    ]);
    let before: number | undefined;
    if (query.cursor) {
      const payload = decodeOpaqueCursor(query.cursor);
      if (
        payload?.f !== fingerprint ||
        !Number.isSafeInteger(payload.i) ||
        (payload.i as number) < 0
      ) {
        throw new Problem(400, 'The cursor is not one this listing gave.', {
          errors: [{ name: 'query.cursor', reason: 'is not a cursor of this listing' }],
        });
      }
      before = payload.i as number;
    }
    const rows = await listEntries(db, filter, { limit: query.limit + 1, before });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > query.limit && last
        ? encodeOpaqueCursor({ f: fingerprint, i: last.index })
        : null;
    return c.json({ items: page.map(present), nextCursor }, 200);
  });

  app.openapi(exportRoute, async (c) => {
    requirePermission(c, 'audit:read');
    const rows = await listEntries(db, filterOf(c.req.valid('query')), { limit: EXPORT_MAX });
    const csv = toCsv(rows);
    return c.body(csv, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="audit.csv"',
    });
  });

  app.openapi(checkpointRoute, async (c) => {
    requirePermission(c, 'audit:read');
    const note = await auditLog.latest();
    if (note === null) throw new Problem(404, 'No checkpoint has been published yet.');
    return c.text(note, 200);
  });

  app.openapi(makeCheckpointRoute, async (c) => {
    requirePermission(c, 'audit:checkpoint');
    try {
      const { note, published } = await auditLog.checkpoint();
      return published ? c.text(note, 201) : c.text(note, 200);
    } catch (error) {
      if (error instanceof Error && /no longer extends/.test(error.message)) {
        throw new Problem(409, error.message);
      }
      throw error;
    }
  });

  app.openapi(keyRoute, (c) => {
    requirePermission(c, 'audit:read');
    return c.text(`${auditLog.verifierKey}\n`, 200);
  });

  app.openapi(inclusionRoute, async (c) => {
    requirePermission(c, 'audit:read');
    const { index, size } = c.req.valid('query');
    const { leafHash, proof } = await auditLog.inclusion(index, size).catch(rangeProblem);
    return c.json({ index, size, leafHash: b64(leafHash), proof: proof.map(b64) }, 200);
  });

  app.openapi(consistencyRoute, async (c) => {
    requirePermission(c, 'audit:read');
    const { from, to } = c.req.valid('query');
    const proof = await auditLog.consistency(from, to).catch(rangeProblem);
    return c.json({ from, to, proof: proof.map(b64) }, 200);
  });

  app.openapi(verifyRoute, async (c) => {
    requirePermission(c, 'audit:read');
    return c.json(await auditLog.verify(), 200);
  });
}
