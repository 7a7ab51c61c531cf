/** A request URL's parts; `path` still percent-encoded, as routes and roles match it. */
export interface RequestTarget {
  scheme: string;
  host: string;
  path: string;
  /** The query with its `?`, or ''. */
  search: string;
}

/**
 * Scheme, host, raw path and query of a request URL (already normalised by the server).
 * @example requestTarget('http://shop.example/api/offers?q=1').path // '/api/offers'
 */
export function requestTarget(url: string): RequestTarget {
  const hostStart = url.indexOf('://') + 3;
  let pathStart = url.indexOf('/', hostStart);
  if (pathStart < 0) pathStart = url.length;
  let end = url.indexOf('#', pathStart);
  if (end < 0) end = url.length;
  let query = url.indexOf('?', pathStart);
  if (query < 0 || query > end) query = end;
  return {
    scheme: url.slice(0, hostStart - 3),
    host: url.slice(hostStart, pathStart),
    path: url.slice(pathStart, query) || '/',
    search: end - query > 1 ? url.slice(query, end) : '',
  };
}
