// GET /api/admin/reports/{sales,conversion,top-products,affiliates,clicks,funnel,experiments}
// — staff read the reports over a range of local dates in an IANA zone, as JSON or, with
// `Accept: text/csv`, as CSV
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  Problem,
  pgErrorCode,
  problemResponses,
  requirePermission,
  type ServiceEnv,
} from '@shop/shared';
import type { Context } from 'hono';
import type { ReportingDeps } from '../deps.js';
import { isTimeZone } from '../domain/time-zone.js';
import { toCsv } from '../domain/to-csv.js';
import {
  affiliatesReport,
  clicksReport,
  conversionReport,
  experimentsReport,
  funnelReport,
  keepsAggregates,
  type Report,
  type ReportRange,
  salesReport,
  topProductsReport,
} from '../store/reports.js';

/** The longest range a report covers: two years and a leap day. */
export const MAX_RANGE_DAYS = 731;

const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'must be a date that exists')
  .refine((value) => value >= '1970-01-01' && value <= '9998-12-31', 'must be from 1970 to 9998');

const dayNumber = (value: string) => Date.parse(`${value}T00:00:00Z`) / 86_400_000;
interface RangeFields {
  from: string;
  to: string;
}
/** Days from `from` to `to`. */
const span = (q: RangeFields) => dayNumber(q.to) - dayNumber(q.from);

const rangeShape = {
  from: LocalDate.openapi({ description: 'First local day of the range', example: '2026-01-01' }),
  to: LocalDate.openapi({
    description: 'Last local day of the range (included)',
    example: '2026-01-31',
  }),
  zone: z
    .string()
    .max(64)
    .default('UTC')
    .refine(isTimeZone, 'must be an IANA time zone name such as Europe/Berlin')
    .openapi({ description: 'IANA time zone whose local days the range and periods are' }),
};

const interval = z.enum(['day', 'week', 'month']).default('day').openapi({
  description: 'Period of each row: local day, ISO week (from Monday) or month',
});

/** A query of the range and `extra` fields, the range checked as a whole. */
const rangeQuery = <E extends z.ZodRawShape>(extra: E) =>
  z
    .object({ ...rangeShape, ...extra })
    .refine((q) => (q as RangeFields).from <= (q as RangeFields).to, {
      message: 'must not be after to',
      path: ['from'],
    })
    .refine((q) => span(q as RangeFields) < MAX_RANGE_DAYS, {
      message: `the range may span at most ${MAX_RANGE_DAYS} days`,
      path: ['to'],
    });

const Cell = z.union([z.string(), z.number(), z.null()]);
const ReportSchema = z
  .object({
    report: z.string(),
    zone: z.string(),
    from: z.string(),
    to: z.string(),
    interval: z.enum(['day', 'week', 'month']).optional(),
    columns: z.array(z.string()),
    rows: z.array(z.record(z.string(), Cell)),
  })
  .openapi('Report');

const staffProblems = problemResponses({
  400: 'Bad range, zone or interval',
  401: 'No valid access token',
  403: 'Not staff',
});

const reportRoute = (name: string, summary: string, query: ReturnType<typeof rangeQuery>) =>
  createRoute({
    method: 'get',
    path: `/api/admin/reports/${name}`,
    tags: ['staff'],
    summary,
    request: { query },
    responses: {
      200: {
        description: 'The report (JSON, or CSV with Accept: text/csv)',
        content: {
          'application/json': { schema: ReportSchema },
          'text/csv; charset=utf-8': { schema: z.string() },
        },
      },
      ...staffProblems,
    },
  });

const withInterval = rangeQuery({ interval });
const salesRoute = reportRoute(
  'sales',
  'Revenue, paid orders, average order value and refunds by period, per currency',
  withInterval,
);
const conversionRoute = reportRoute(
  'conversion',
  'Sessions (from page views), paid orders and conversion rate by period',
  withInterval,
);
const topProductsRoute = reportRoute(
  'top-products',
  'Best-selling products by revenue, ranked per currency',
  rangeQuery({ limit: z.coerce.number().int().min(1).max(100).default(10) }),
);
const affiliatesRoute = reportRoute(
  'affiliates',
  'Attributed revenue and commission per affiliate, campaign and currency',
  rangeQuery({}),
);
const clicksRoute = reportRoute(
  'clicks',
  'Tracked-link clicks per affiliate and campaign',
  rangeQuery({}),
);
const funnelRoute = reportRoute('funnel', 'Visit → cart → checkout → paid', rangeQuery({}));
const experimentsRoute = reportRoute(
  'experiments',
  'Conversion per flag variant with a 95% Wilson score interval',
  rangeQuery({
    flag: z.string().min(1).max(200).optional().openapi({ description: 'One flag key' }),
  }),
);

type Range = ReportRange & { interval?: 'day' | 'week' | 'month' };

const wantsCsv = (c: Context) => /\btext\/csv\b/i.test(c.req.header('accept') ?? '');

async function answer<Row extends object>(
  c: Context<ServiceEnv>,
  name: string,
  range: Range,
  build: () => Promise<Report<Row>>,
): Promise<Response> {
  requirePermission(c, 'reports:read');
  let report: Report<Row>;
  try {
    report = await build();
  } catch (error) {
    // PostgreSQL's tz database may lack a zone Intl knows: the caller's zone, not a failure.
    if (pgErrorCode(error) === '22023') {
      throw new Problem(400, `The time zone ${range.zone} is not known to the database.`, {
        errors: [{ name: 'query.zone', reason: 'is not a known time zone' }],
      });
    }
    throw error;
  }
  if (wantsCsv(c)) {
    const suffix = `${range.from}_${range.to}`;
    return c.body(toCsv(report.columns, report.rows), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}_${suffix}.csv"`,
      vary: 'accept',
    });
  }
  return c.json(
    {
      report: name,
      zone: range.zone,
      from: range.from,
      to: range.to,
      ...(range.interval && { interval: range.interval }),
      columns: report.columns,
      rows: report.rows,
    },
    200,
    { vary: 'accept' },
  );
}

/** Registers the staff report routes (the kit answers non-staff before they run). */
export function registerReportRoutes(app: OpenAPIHono<ServiceEnv>, deps: ReportingDeps): void {
  const { db } = deps;
  const source = async (zone: string) =>
    (await keepsAggregates(db, zone)) ? ('daily_aggregates' as const) : ('facts' as const);

  app.openapi(salesRoute, async (c) => {
    const q = c.req.valid('query') as Range & { interval: 'day' | 'week' | 'month' };
    const from = await source(q.zone);
    c.header('x-report-source', from);
    return answer(c, 'sales', q, () => salesReport(db, q, q.interval, from)) as never;
  });
  app.openapi(conversionRoute, async (c) => {
    const q = c.req.valid('query') as Range & { interval: 'day' | 'week' | 'month' };
    const from = await source(q.zone);
    c.header('x-report-source', from);
    return answer(c, 'conversion', q, () => conversionReport(db, q, q.interval, from)) as never;
  });
  app.openapi(topProductsRoute, async (c) => {
    const q = c.req.valid('query') as Range & { limit: number };
    return answer(c, 'top-products', q, () => topProductsReport(db, q, q.limit)) as never;
  });
  app.openapi(affiliatesRoute, async (c) => {
    const q = c.req.valid('query') as Range;
    return answer(c, 'affiliates', q, () => affiliatesReport(db, q)) as never;
  });
  app.openapi(clicksRoute, async (c) => {
    const q = c.req.valid('query') as Range;
    return answer(c, 'clicks', q, () => clicksReport(db, q)) as never;
  });
  app.openapi(funnelRoute, async (c) => {
    const q = c.req.valid('query') as Range;
    return answer(c, 'funnel', q, () => funnelReport(db, q)) as never;
  });
  app.openapi(experimentsRoute, async (c) => {
    const q = c.req.valid('query') as Range & { flag?: string };
    return answer(c, 'experiments', q, () => experimentsReport(db, q, q.flag)) as never;
  });
}
