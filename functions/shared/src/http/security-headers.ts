// The security headers every API answer carries (OWASP REST Security Cheat Sheet), for answers
// the kit makes outside any app: the public port's 404 for the ops paths of a function whose
// probes and metrics live on their own port. The gateway's `securityHeaders` sets the same on
// every answer it makes (its test compares them).

/** Security header fields of an API answer, lower-case names. */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-site',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
});
