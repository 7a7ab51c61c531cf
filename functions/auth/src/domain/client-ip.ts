/**
 * The client's address: the first hop of `X-Forwarded-For` (set by the api-gateway), else the
 * socket's address, else 'unknown' (app.request() in tests has no socket).
 * @example clientIp('203.0.113.9, 10.0.0.2', '10.0.0.2') // '203.0.113.9'
 */
export function clientIp(
  forwardedFor: string | undefined,
  socketAddress: string | undefined,
): string {
  const first = forwardedFor?.split(',')[0]?.trim();
  if (first && first.length <= 100) return first;
  return socketAddress || 'unknown';
}
