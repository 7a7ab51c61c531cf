// RFC 9457 problems the back office answers itself (the gateway's pass through unchanged).

/**
 * An `application/problem+json` response.
 * @example problemResponse(401, 'Sign in again.')
 */
export function problemResponse(status: number, detail: string): Response {
  const title =
    {
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      413: 'Content Too Large',
      415: 'Unsupported Media Type',
    }[status] ?? 'Bad Request';
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
  });
}
