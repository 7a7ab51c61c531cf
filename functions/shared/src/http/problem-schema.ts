// problem+json (RFC 9457) as the OpenAPI document describes it; `Problem` in problem.ts builds it.
import { z } from '@hono/zod-openapi';

/**
 * The problem+json body every function answers errors with, as the `Problem` OpenAPI component.
 * @example createRoute({ …, responses: { 404: { description: 'Not found', content: { 'application/problem+json': { schema: problemJsonSchema } } } } });
 */
export const problemJsonSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ name: z.string(), reason: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .openapi('Problem');

/**
 * One problem+json response for a route's `responses`.
 * @example responses: { 200: …, 404: problemJson('No such offer') }
 */
export function problemJson(description: string) {
  return {
    description,
    content: { 'application/problem+json': { schema: problemJsonSchema } },
  };
}

/**
 * Several problem+json responses at once, by status.
 * @example responses: { 200: …, ...problemResponses({ 400: 'Invalid query', 404: 'No such offer' }) }
 */
export function problemResponses<S extends number>(
  descriptions: Record<S, string>,
): Record<S, ReturnType<typeof problemJson>> {
  const responses = {} as Record<S, ReturnType<typeof problemJson>>;
  for (const status of Object.keys(descriptions)) {
    const key = Number(status) as S;
    responses[key] = problemJson(descriptions[key]);
  }
  return responses;
}
