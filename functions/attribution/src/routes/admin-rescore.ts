// /api/admin/attribution/rescore — staff re-score a period under another model as a job with
// progress; results are kept apart and never touch live conversions or paid-out commissions
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { Problem, problemResponses, requirePermission, type ServiceEnv } from '@shop/shared';
import type { AttributionDeps } from '../deps.js';
import { MODELS } from '../domain/touchpoint.js';
import type { RescoreJob } from '../rescore.js';
import { checkPeriod, periodShape, staffProblems } from './schemas.js';

const JobSchema = z
  .object({
    jobId: z.string(),
    model: z.enum(MODELS),
    from: z.string(),
    to: z.string(),
    status: z.enum(['running', 'done', 'failed']),
    total: z.number().int(),
    processed: z.number().int(),
    progress: z.number().openapi({ description: '0–1' }),
    error: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    totals: z
      .array(
        z.object({
          affiliateId: z.string().nullable(),
          campaign: z.string().nullable(),
          currency: z.string(),
          credit: z.number().int(),
          commission: z.number().int(),
        }),
      )
      .openapi({
        description: 'When done: credit and commission per affiliate and campaign under the model',
      }),
  })
  .openapi('RescoreJob');

const startRoute = createRoute({
  method: 'post',
  path: '/api/admin/attribution/rescore',
  tags: ['staff'],
  summary: 'Re-score the purchases of [from, to) under another model (a job)',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: checkPeriod(z.strictObject({ ...periodShape, model: z.enum(MODELS) })),
        },
      },
    },
  },
  responses: {
    202: {
      description: 'The job, started',
      content: { 'application/json': { schema: JobSchema } },
    },
    ...problemResponses({ 400: 'Invalid model or period' }),
    ...staffProblems,
  },
});
const getRoute = createRoute({
  method: 'get',
  path: '/api/admin/attribution/rescore/{jobId}',
  tags: ['staff'],
  summary: "A re-score job's progress, and its totals when done",
  request: { params: z.object({ jobId: z.uuid() }) },
  responses: {
    200: { description: 'The job', content: { 'application/json': { schema: JobSchema } } },
    ...problemResponses({ 400: 'The id is not a uuid', 404: 'No such job' }),
    ...staffProblems,
  },
});

export function registerRescoreRoutes(app: OpenAPIHono<ServiceEnv>, deps: AttributionDeps): void {
  const present = async (job: RescoreJob) => {
    let totals: {
      affiliateId: string | null;
      campaign: string | null;
      currency: string;
      credit: number;
      commission: number;
    }[] = [];
    if (job.status === 'done') {
      const { rows } = await deps.db.query<Record<string, unknown>>(
        `SELECT t->>'affiliateId' AS affiliate_id, t->>'campaign' AS campaign, r.currency,
                sum((t->>'credit')::bigint) AS credit, sum((t->>'commission')::bigint) AS commission
         FROM attribution.rescore_result r, jsonb_array_elements(r.credits) t
         WHERE r.job_id = $1 GROUP BY 1, 2, 3 ORDER BY 1 NULLS LAST, 2 NULLS LAST, 3`,
        [job.jobId],
      );
      totals = rows.map((row) => ({
        affiliateId: row.affiliate_id as string | null,
        campaign: row.campaign as string | null,
        currency: (row.currency as string).trim(),
        credit: Number(row.credit),
        commission: Number(row.commission),
      }));
    }
    return {
      jobId: job.jobId,
      model: job.model,
      from: job.from.toISOString(),
      to: job.to.toISOString(),
      status: job.status,
      total: job.total,
      processed: job.processed,
      progress: job.total === 0 ? 1 : Math.min(1, job.processed / job.total),
      error: job.error,
      createdBy: job.createdBy,
      createdAt: job.createdAt.toISOString(),
      totals,
    };
  };

  app.openapi(startRoute, async (c) => {
    const createdBy = requirePermission(c, 'attribution:rescore').userId;
    const { model, from, to } = c.req.valid('json');
    const job = await deps.rescore.start({ model, from, to, createdBy });
    return c.json(await present(job), 202, {
      Location: `/api/admin/attribution/rescore/${job.jobId}`,
    });
  });

  app.openapi(getRoute, async (c) => {
    requirePermission(c, 'attribution:read');
    const job = await deps.rescore.get(c.req.valid('param').jobId);
    if (!job) throw new Problem(404, 'No such re-score job.');
    return c.json(await present(job), 200);
  });
}
