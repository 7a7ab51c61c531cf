// The api-gateway as deployed (gateway.start: config, token verifier, rate limiter, forwarding)
// on port 0 in front of a bench upstream (BENCH_UPSTREAM_URL answers /api/offers…; the JWKS comes
// from BENCH_JWKS_URL, default the upstream's /.well-known/jwks.json). Rate limits
// are so high that the limiter runs on every request but never refuses. Counters are in memory
// unless BENCH_REDIS=1 and REDIS_URL is set (then the real Redis). Prints `LISTENING <port>`.
import { gateway as gatewayFunction } from '@shop/api-gateway';

const upstream = process.env.BENCH_UPSTREAM_URL;
if (!upstream) {
  console.error('servers/gateway.ts needs BENCH_UPSTREAM_URL (see bench/src/gateway.ts)');
  process.exit(1);
}
const redis = process.env.BENCH_REDIS === '1' && process.env.REDIS_URL;

const gateway = await gatewayFunction.start({
  env: {
    ...process.env,
    OFFER_URL: upstream,
    AUTH_JWKS_URL: process.env.BENCH_JWKS_URL ?? `${upstream}/.well-known/jwks.json`,
    // auth's revocation feed: beside the JWKS (the fixed-answer upstream serves both).
    AUTH_REVOCATIONS_URL: new URL(
      '/internal/sessions/revocations',
      process.env.BENCH_JWKS_URL ?? upstream,
    ).toString(),
    AUTH_ISSUER: 'http://127.0.0.1:8080',
    AUTH_AUDIENCE: 'shop',
    RATE_LIMIT_ANONYMOUS: '100000000',
    RATE_LIMIT_USER: '100000000',
    RATE_LIMIT_WINDOW_SECONDS: '60',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    REDIS_URL: redis || undefined,
  },
  port: 0,
  handleSignals: true,
});
console.log(`LISTENING ${gateway.port}`);
