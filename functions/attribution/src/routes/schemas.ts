// Schemas the staff routes share.
import { z } from '@hono/zod-openapi';
import { problemResponses } from '@shop/shared';

const MAX_PERIOD_DAYS = 400;
const instant = (example: string) =>
  z.coerce.date().openapi({ type: 'string', format: 'date-time', example });

/** The fields of a period [from, to) of purchases. */
export const periodShape = {
  from: instant('2026-11-01T00:00:00Z'),
  to: instant('2026-12-01T00:00:00Z'),
};

/** `from` before `to`, at most 400 days apart. */
export function checkPeriod<T extends z.ZodType<{ from: Date; to: Date }>>(schema: T) {
  return schema
    .refine((period) => period.from < period.to, {
      message: 'from must be before to',
      path: ['to'],
    })
    .refine(
      (period) => period.to.getTime() - period.from.getTime() <= MAX_PERIOD_DAYS * 86_400_000,
      { message: `a period is at most ${MAX_PERIOD_DAYS} days`, path: ['to'] },
    );
}

export const Period = checkPeriod(z.object(periodShape));

export const staffProblems = problemResponses({
  401: 'No valid access token',
  403: 'The caller is not staff',
});
