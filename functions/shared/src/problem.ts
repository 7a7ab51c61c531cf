import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** One field that failed validation, RFC 9457 "invalid-params" style. */
export interface InvalidParam {
  name: string;
  reason: string;
}

/** An RFC 9457 problem details object. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: InvalidParam[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * Throw from any handler to answer with problem+json.
 * @example throw new Problem(409, 'The product changed since you read it', { currentVersion: 4 });
 */
export class Problem extends Error {
  override name = 'Problem';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> & { type?: string; title?: string } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? TITLES[status] ?? `HTTP ${status}`);
  }

  toJSON(): ProblemDetails {
    const { type, title, ...rest } = this.extensions;
    return {
      type: type ?? 'about:blank',
      title: title ?? TITLES[this.status] ?? `HTTP ${this.status}`,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...rest,
    };
  }
}

/** Builds the problem+json response for an error; never leaks a stack or an internal message. */
export function problemResponse(c: Context, error: unknown): Response {
  let problem: Problem;
  if (error instanceof Problem) {
    problem = error;
  } else if (error instanceof HTTPException) {
    problem = new Problem(error.status, error.message || undefined);
  } else {
    problem = new Problem(500, 'The server could not handle this request.');
  }
  const body: ProblemDetails = { ...problem.toJSON(), instance: c.req.path };
  const requestId = c.get('requestId' as never) as string | undefined;
  if (requestId) body.requestId = requestId;
  return c.body(JSON.stringify(body), problem.status, {
    'content-type': 'application/problem+json',
    ...problem.headers,
  });
}
