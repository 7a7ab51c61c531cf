// POST /v1/{track|page|screen|identify|group|alias|batch|import} — Segment's HTTP Tracking API,
// also at /api/analytics/v1/… (the public path the gateway forwards unchanged), so stock
// Segment clients work with only their host (and path) changed.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  currentTraceparent,
  headerValue,
  Problem,
  problemResponses,
  requestHeaders,
  type ServiceEnv,
} from '@shop/shared';
import { cors } from 'hono/cors';
import type { AnalyticsIngestDeps } from '../deps.js';
import { measureJsonDepth } from '../domain/measure-json-depth.js';
import { type CallType, isCallType, isJsonObject } from '../domain/segment-call.js';
import { ingestRequest, MAX_BATCH_BYTES, MAX_CALL_BYTES } from '../ingest.js';

/** Deeper JSON is refused before parsing (no client library nests anywhere near it). */
export const MAX_JSON_DEPTH = 64;
const BASES = ['/v1', '/api/analytics/v1'] as const;

const AnswerSchema = z
  .object({
    success: z.literal(true),
    accepted: z.int().openapi({ description: 'Calls written to Kafka (acknowledged).' }),
    deduped: z.int().openapi({ description: 'Calls whose messageId was kept within the day.' }),
    rejected: z
      .array(
        z.object({
          index: z.int(),
          messageId: z.string().nullable(),
          reason: z.string(),
          detail: z.string(),
        }),
      )
      .openapi({ description: 'Calls not kept (counted per source by reason, as Segment does).' }),
  })
  .openapi('AnalyticsIngestAnswer');

const CallSchema = z
  .looseObject({
    type: z.string().optional(),
    messageId: z.string().optional(),
    anonymousId: z.string().optional(),
    userId: z.string().optional(),
    event: z.string().optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    traits: z.record(z.string(), z.unknown()).optional(),
    timestamp: z.string().optional(),
    sentAt: z.string().optional(),
    writeKey: z.string().optional(),
  })
  .openapi('SegmentCall');

function documentRoute(app: OpenAPIHono<ServiceEnv>, name: CallType | 'batch') {
  app.openAPIRegistry.registerPath(
    createRoute({
      method: 'post',
      path: `/api/analytics/v1/${name}`,
      tags: ['analytics'],
      summary:
        name === 'batch'
          ? 'Segment batch: up to 2,500 calls, 500 KB'
          : `Segment ${name} call (at most 32 KB)`,
      description:
        'Write key as HTTP Basic user name (`writeKey:`) or `writeKey` in the body; JSON as ' +
        '`application/json` or `text/plain` (navigator.sendBeacon). 200 once Kafka acknowledged; ' +
        'invalid calls are answered in `rejected` and counted for staff.',
      request: {
        body: {
          content: {
            'application/json': {
              schema:
                name === 'batch'
                  ? z.looseObject({
                      batch: z.array(CallSchema),
                      context: z.record(z.string(), z.unknown()).optional(),
                    })
                  : CallSchema,
            },
          },
        },
      },
      responses: {
        200: { description: 'Accepted', content: { 'application/json': { schema: AnswerSchema } } },
        ...problemResponses({
          400: 'Malformed JSON, too deeply nested, or more than 2,500 calls',
          401: 'No, an unknown or a revoked write key',
          413: 'Over 32 KB (a call) or 500 KB (a batch)',
          503: 'Kafka did not acknowledge: nothing was kept; retry after Retry-After',
        }),
      },
    }),
  );
}

function malformed(detail: string): Problem {
  return new Problem(400, detail, { type: 'https://shop.example/problems/malformed-json' });
}

/** Registers the tracking routes and their CORS for the shop's sites. */
export function registerTrackingRoutes(
  app: OpenAPIHono<ServiceEnv>,
  deps: AnalyticsIngestDeps,
): void {
  const browsers = cors({
    origin: [...deps.settings.corsOrigins],
    allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: ['content-type', 'authorization'],
    maxAge: 600,
  });
  for (const base of BASES) {
    app.use(`${base}/*`, browsers);
    app.post(`${base}/:type`, async (c) => {
      const name = c.req.param('type');
      const type: CallType | 'batch' | undefined =
        name === 'batch' || name === 'import' ? 'batch' : isCallType(name) ? name : undefined;
      if (!type) throw new Problem(404, `No route for POST ${c.req.path}.`);
      const headers = requestHeaders(c);
      const encoding = headerValue(headers, 'content-encoding');
      if (encoding && encoding.toLowerCase() !== 'identity') {
        throw new Problem(415, 'Send the body uncompressed (no Content-Encoding).');
      }
      // The kit's body limit already stopped anything over 500 KB, with or without a length.
      const text = await c.req.text();
      const bytes = Buffer.byteLength(text);
      const limit = type === 'batch' ? MAX_BATCH_BYTES : MAX_CALL_BYTES;
      if (bytes > limit) {
        throw new Problem(413, `A ${type} request may be at most ${limit} bytes.`, {
          type: 'https://shop.example/problems/payload-too-large',
        });
      }
      if (measureJsonDepth(text) > MAX_JSON_DEPTH) {
        throw malformed(`The JSON is nested deeper than ${MAX_JSON_DEPTH} levels.`);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw malformed('The body is not valid JSON.');
      }
      if (!isJsonObject(body)) throw malformed('The body must be a JSON object.');
      const answer = await ingestRequest(deps.ingest, {
        type,
        body,
        authorization: headerValue(headers, 'authorization'),
        bytes,
        traceparent: currentTraceparent(),
      });
      return c.json(answer, 200);
    });
  }
  for (const name of ['track', 'page', 'screen', 'identify', 'group', 'alias', 'batch'] as const) {
    documentRoute(app, name);
  }
}
