// RFC 9457 problems the back office answers itself (the gateway's pass through unchanged).

/**
 * An `application/problem+json` response.
 * @example problemResponse(401, 'Sign in again.')
 */
export function problemResponse(status: number, detail: string): Response {
  const title = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Bad request';
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
  });
}
