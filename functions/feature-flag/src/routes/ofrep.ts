// POST /ofrep/v1/evaluate/flags/{key}, POST /ofrep/v1/evaluate/flags, GET /ofrep/v1/events —
// the OpenFeature Remote Evaluation Protocol: single and bulk evaluation in memory, the bulk
// answer's ETag (If-None-Match → 304), and the change stream (server-sent refetchEvaluation).
import { createHash } from 'node:crypto';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceEnv } from '@shop/shared';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { FeatureFlagDeps } from '../deps.js';
import { isFailure } from '../domain/flag-snapshot.js';
import { parseEvaluationRequest } from '../domain/parse-context.js';

const metadataSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
const SuccessSchema = z
  .object({
    key: z.string(),
    value: z.unknown().optional().openapi({
      description:
        'Absent for DISABLED, and for DEFAULT without a default variant: use the code default.',
    }),
    variant: z.string().optional(),
    reason: z.string().openapi({ example: 'TARGETING_MATCH' }),
    metadata: metadataSchema,
  })
  .openapi('OfrepEvaluationSuccess');
const FailureSchema = z
  .object({
    key: z.string(),
    errorCode: z.enum([
      'FLAG_NOT_FOUND',
      'PARSE_ERROR',
      'TARGETING_KEY_MISSING',
      'INVALID_CONTEXT',
      'GENERAL',
    ]),
    errorDetails: z.string(),
    metadata: metadataSchema.optional(),
  })
  .openapi('OfrepEvaluationFailure');
const BulkFailureSchema = z
  .object({
    errorCode: z.enum(['PARSE_ERROR', 'INVALID_CONTEXT', 'GENERAL']),
    errorDetails: z.string(),
  })
  .openapi('OfrepBulkEvaluationFailure');
const BulkSchema = z
  .object({
    flags: z.array(z.union([SuccessSchema, FailureSchema])),
    metadata: metadataSchema.optional(),
    eventStreams: z.array(
      z.object({
        type: z.literal('sse'),
        endpoint: z.object({ requestUri: z.string() }),
        inactivityDelaySec: z.number().int(),
      }),
    ),
  })
  .openapi('OfrepBulkEvaluationSuccess');
const TooManySchema = z.object({ errorDetails: z.string() }).openapi('OfrepTooManyRequests');
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const requestBody = {
  description: 'OFREP evaluation request: `{"context": {"targetingKey": "…", …}}` (optional).',
  required: false,
  content: {
    'application/json': {
      schema: z
        .object({ context: z.record(z.string(), z.unknown()).optional() })
        .openapi('OfrepEvaluationRequest'),
    },
  },
};
const retryAfter = {
  'Retry-After': { schema: { type: 'string' as const }, description: 'Seconds to wait' },
};

const singleRoute = createRoute({
  method: 'post',
  path: '/ofrep/v1/evaluate/flags/{key}',
  summary: 'Evaluate one flag (OFREP)',
  request: { params: z.object({ key: z.string().min(1).max(128) }) },
  responses: {
    200: json(SuccessSchema, 'Evaluated'),
    400: json(FailureSchema, 'Bad context or a targeting error'),
    404: json(FailureSchema, 'FLAG_NOT_FOUND'),
    429: { ...json(TooManySchema, 'Over the instance budget'), headers: retryAfter },
  },
});
const bulkRoute = createRoute({
  method: 'post',
  path: '/ofrep/v1/evaluate/flags',
  summary: 'Evaluate every flag (OFREP bulk); ETag and If-None-Match',
  responses: {
    200: { ...json(BulkSchema, 'Every flag'), headers: { ETag: { schema: { type: 'string' } } } },
    304: { description: 'Nothing changed for this context since the ETag' },
    400: json(BulkFailureSchema, 'Bad context'),
    429: { ...json(TooManySchema, 'Over the instance budget'), headers: retryAfter },
  },
});
const streamRoute = createRoute({
  method: 'get',
  path: '/ofrep/v1/events',
  summary: 'Change stream: a server-sent {"type":"refetchEvaluation"} after every change',
  description:
    'The bulk answer names this stream with `since`, the revision it was evaluated at: a change ' +
    'made between that answer and the stream opening is announced as soon as the stream opens.',
  request: { query: z.object({ since: z.string().regex(/^\d+$/).optional() }) },
  responses: {
    200: {
      description: 'text/event-stream',
      content: { 'text/event-stream': { schema: z.string() } },
    },
    429: { ...json(TooManySchema, 'Too many open streams'), headers: retryAfter },
  },
});

const STREAM_PATH = '/ofrep/v1/events';
const INACTIVITY_DELAY_SEC = 120;
const HEARTBEAT_MS = 15_000;

/** Registers the OFREP routes. */
export function registerOfrepRoutes(app: OpenAPIHono<ServiceEnv>, deps: FeatureFlagDeps): void {
  // The bodies are read by hand: OFREP answers its own error shapes, not problem+json.
  app.openAPIRegistry.registerPath({
    ...singleRoute,
    request: { ...singleRoute.request, body: requestBody },
  });
  app.post('/ofrep/v1/evaluate/flags/:key', async (c) => {
    const key = c.req.param('key') ?? '';
    const limited = overBudget(c, deps);
    if (limited) return limited;
    const parsed = parseEvaluationRequest(await c.req.text());
    if (!parsed.ok)
      return c.json({ key, errorCode: parsed.errorCode, errorDetails: parsed.errorDetails }, 400);
    const snapshot = deps.flags.current();
    if (!snapshot) return notLoaded(c, key);
    const result = snapshot.evaluate(key, parsed.context);
    if (isFailure(result)) return c.json(result, result.errorCode === 'FLAG_NOT_FOUND' ? 404 : 400);
    deps.experiments?.record(result, parsed.context);
    return c.json(result, 200);
  });

  app.openAPIRegistry.registerPath({ ...bulkRoute, request: { body: requestBody } });
  app.post('/ofrep/v1/evaluate/flags', async (c) => {
    const limited = overBudget(c, deps);
    if (limited) return limited;
    const parsed = parseEvaluationRequest(await c.req.text());
    if (!parsed.ok)
      return c.json({ errorCode: parsed.errorCode, errorDetails: parsed.errorDetails }, 400);
    const snapshot = deps.flags.current();
    if (!snapshot) return notLoaded(c, null);
    const evaluations = snapshot.evaluateAll(parsed.context);
    if (deps.experiments) {
      for (const evaluation of evaluations) deps.experiments.record(evaluation, parsed.context);
    }
    const body = JSON.stringify({
      flags: evaluations,
      ...(Object.keys(snapshot.metadata).length > 0 && { metadata: snapshot.metadata }),
      eventStreams: [
        {
          type: 'sse',
          endpoint: { requestUri: `${STREAM_PATH}?since=${snapshot.revision}` },
          inactivityDelaySec: INACTIVITY_DELAY_SEC,
        },
      ],
    });
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'private, no-cache');
    if (matchesEtag(c.req.header('if-none-match'), etag)) return c.body(null, 304);
    return c.body(body, 200, { 'content-type': 'application/json' });
  });

  let open = 0;
  app.openapi(streamRoute, (c) => {
    if (open >= deps.maxStreams) {
      c.header('Retry-After', '30');
      return c.json({ errorDetails: 'too many open change streams on this instance' }, 429);
    }
    open += 1;
    c.header('Cache-Control', 'no-cache');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      let wake: (() => void) | null = null;
      const pending: string[] = [];
      const announce = (revision: number) => {
        pending.push(JSON.stringify({ type: 'refetchEvaluation', etag: `"r${revision}"` }));
        wake?.();
      };
      const unsubscribe = deps.flags.subscribe((snapshot) => announce(snapshot.revision));
      // The page evaluated at `since`; a change that landed before this stream opened would
      // otherwise never reach it (the race between the bulk answer and the EventSource).
      const since = Number(c.req.query('since') ?? Number.NaN);
      const current = deps.flags.current()?.revision;
      if (Number.isSafeInteger(since) && current !== undefined && current > since) {
        announce(current);
      }
      stream.onAbort(() => wake?.());
      try {
        let lastBeat = Date.now();
        while (!stream.aborted && !deps.lifecycle?.draining) {
          const message = pending.shift();
          if (message) {
            await stream.writeSSE({ data: message });
            continue;
          }
          if (Date.now() - lastBeat >= HEARTBEAT_MS) {
            await stream.write(': keep-alive\n\n');
            lastBeat = Date.now();
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 1_000).unref();
          });
          wake = null;
        }
      } finally {
        unsubscribe();
        open -= 1;
      }
    }) as never;
  });
}

function overBudget(c: Context<ServiceEnv>, deps: FeatureFlagDeps): Response | null {
  const verdict = deps.budget.take();
  if (verdict.allowed) return null;
  c.header('Retry-After', String(verdict.retryAfterSeconds));
  return c.json(
    { errorDetails: 'too many evaluations on this instance: retry after the delay' },
    429,
  );
}

function notLoaded(c: Context<ServiceEnv>, key: string | null): Response {
  c.header('Retry-After', '1');
  return c.json(
    {
      ...(key !== null && { key }),
      errorCode: 'GENERAL',
      errorDetails: 'flags are not loaded yet',
    },
    503,
  );
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
