import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { problemJson, problemJsonSchema, problemResponses } from './problem-schema.js';

describe('problemJsonSchema', () => {
  it('accepts a problem with extension members and refuses one without a status', () => {
    const problem = { type: 'about:blank', title: 'Not Found', status: 404, offerId: 'x' };
    expect(problemJsonSchema.parse(problem)).toEqual(problem);
    expect(problemJsonSchema.safeParse({ type: 'about:blank', title: 'Oops' }).success).toBe(false);
  });

  it('documents problem responses as the shared Problem component', () => {
    const app = new OpenAPIHono();
    app.openapi(
      createRoute({
        method: 'get',
        path: '/thing',
        responses: {
          200: { description: 'The thing' },
          ...problemResponses({ 404: 'No such thing', 503: 'Not ready' }),
        },
      }),
      (c) => c.body(null, 200),
    );
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    const responses = doc.paths?.['/thing']?.get?.responses ?? {};
    expect(responses['404']).toEqual({
      description: 'No such thing',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
    expect(responses['503']).toEqual(
      problemResponses({ 503: 'Not ready' })[503] && expect.anything(),
    );
    expect(doc.components?.schemas?.Problem).toMatchObject({ type: 'object' });
    expect(problemJson('x').description).toBe('x');
  });
});
