import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import {
  type HeaderRecord,
  headersAdded,
  type ResponseHeadersEnv,
} from '../response-headers/index.js';

/** secureHeaders' `contentSecurityPolicy` option: directives in camelCase, each a list of sources. */
type ContentSecurityPolicy = NonNullable<
  NonNullable<Parameters<typeof secureHeaders>[0]>['contentSecurityPolicy']
>;

export interface SecurityHeadersOptions {
  /** The one HTML document among the answers (the `/docs` page) and the CSP it needs. */
  document: { path: string; contentSecurityPolicy: ContentSecurityPolicy };
}

const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"] };

/**
 * API answers carry the headers the OWASP REST Security Cheat Sheet lists for every API
 * response (CSP `frame-ancestors 'none'`, HSTS, nosniff, `X-Frame-Options: DENY`; plus
 * `Cross-Origin-Resource-Policy` and `Referrer-Policy`), not those that only matter to HTML
 * documents; the document gets secureHeaders' full set.
 */
const HTML_ONLY = {
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
} as const;

/**
 * Security headers (`hono/secure-headers`: HSTS, nosniff, CSP, …; see HTML_ONLY) on every answer.
 * What they are depends only on whether the path is the document's, so secureHeaders is asked
 * once for each at start (a request arriving before that waits for it) and its frozen answer
 * joins the response headers (see `responseHeaders`). A CORS preflight (`OPTIONS`) runs
 * secureHeaders live, with the API set.
 * @example app.use(responseHeaders()).use(securityHeaders({ document: { path: '/docs', contentSecurityPolicy: csp } }));
 */
export function securityHeaders(
  options: SecurityHeadersOptions,
): MiddlewareHandler<ResponseHeadersEnv> {
  const common = { crossOriginResourcePolicy: 'same-site', xFrameOptions: 'DENY' } as const;
  const api = secureHeaders({ ...common, ...HTML_ONLY, contentSecurityPolicy: API_CSP });
  const document = secureHeaders({
    ...common,
    contentSecurityPolicy: options.document.contentSecurityPolicy,
  });
  const documentPath = options.document.path;
  let answers: { api: HeaderRecord; document: HeaderRecord } | undefined;
  const asking = Promise.all([headersAdded(api, '/'), headersAdded(document, documentPath)]).then(
    ([apiHeaders, documentHeaders]) => {
      answers = { api: apiHeaders, document: documentHeaders };
    },
  );
  const middleware: MiddlewareHandler<ResponseHeadersEnv> = (c, next) => {
    if (c.req.method === 'OPTIONS') return api(c, next);
    if (!answers) return asking.then(() => middleware(c, next));
    c.get('responseHeaders').push(c.req.path === documentPath ? answers.document : answers.api);
    return next();
  };
  return middleware;
}
