// Who sent an event: the OIDC token Knative Eventing presents with every delivery when the
// `authentication-oidc` feature is on (a Kubernetes service-account token for this function's
// audience), checked against the issuer's keys and this function's EventPolicy. The same code
// checks the local broker's ingress, so dev and the cluster verify alike.
import type { Context, MiddlewareHandler } from 'hono';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { ServiceEnv } from '../app.js';
import { Problem, problemResponse } from '../problem.js';

const UNAUTHENTICATED = 'https://shop.example/problems/event-sender-unauthenticated';
const FORBIDDEN = 'https://shop.example/problems/event-sender-forbidden';

/** The verified sender of a request: the token's `sub`, `aud` and `iss`. */
export interface EventSender {
  /** `system:serviceaccount:<namespace>:<name>` for a Kubernetes service-account token. */
  subject: string;
  audience: string;
  issuer: string;
}

/**
 * Checks the `Authorization: Bearer` OIDC token of a request and the sender's right to send;
 * throws a {@link Problem}: 401 no or invalid token, 403 a sender no policy allows, 503 the
 * issuer's keys cannot be read (retried by the broker).
 */
export type EventSenderVerifier = (request: Request) => Promise<EventSender>;

export interface EventSenderVerifierOptions {
  /** The `iss` tokens must carry (the cluster's service-account issuer, or the dev broker). */
  issuer: string;
  /** Where the issuer publishes its keys (fetched and cached), or a key set in hand (tests). */
  jwks: string | URL | JSONWebKeySet;
  /** The `aud` tokens must carry: the audience of the receiving resource. */
  audience: string;
  /**
   * EventPolicy `from` subjects allowed to send (a trailing `*` matches any suffix, as
   * Knative's `sub` does); compared case-insensitively like Knative's verifier.
   */
  allowedSenders: readonly string[];
  /** Seconds of clock skew accepted on `exp`/`nbf` (default 30). */
  clockToleranceSeconds?: number;
  /** Least milliseconds between two JWKS refetches for an unknown `kid` (default 1000). */
  cooldownMs?: number;
  /** Milliseconds fetched keys are trusted before a refetch (default 10 min). */
  cacheMaxAgeMs?: number;
  /** Milliseconds the JWKS fetch may take (default 5000). */
  timeoutMs?: number;
}

/**
 * Whether an EventPolicy `sub` (exact, or a prefix ending in `*`) matches a token's subject,
 * as Knative's `SubjectAndFiltersPass` compares them.
 * @example subjectMatches('system:serviceaccount:shop:*', 'system:serviceaccount:shop:cart') === true
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.toLowerCase();
  const s = subject.toLowerCase();
  return p === s || (p.endsWith('*') && s.startsWith(p.slice(0, -1)));
}

/** The bearer token of a request, or undefined. */
export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  const match = header ? /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header) : null;
  return match?.[1];
}

function unauthenticated(detail: string): Problem {
  return new Problem(
    401,
    detail,
    { type: UNAUTHENTICATED, title: 'Event sender not authenticated' },
    { 'www-authenticate': 'Bearer' },
  );
}

/** jose errors that mean the token is bad, not that the keys could not be fetched. */
function isTokenError(error: unknown): boolean {
  return (
    error instanceof errors.JOSEError &&
    !(error instanceof errors.JWKSTimeout) &&
    !(error instanceof errors.JWKSInvalid)
  );
}

/** A verified workload token: whose it is, and until when (ms since the epoch). */
export interface WorkloadIdentity extends EventSender {
  expiresAt: number;
}

/**
 * Checks one OIDC token of a workload (a Kubernetes service-account token, or the dev broker's
 * stand-in); throws a {@link Problem}: 401 invalid, 403 a subject not allowed, 503 the issuer's
 * keys cannot be read.
 */
export type WorkloadTokenVerifier = (token: string) => Promise<WorkloadIdentity>;

/**
 * Verifies workload tokens as Knative's OIDC verifier does: a JWT signed by `issuer` (ES256 or
 * RS256, keys from `jwks`), for `audience`, not expired, whose `sub` one of `allowedSenders`
 * matches. What event receivers and the gateway (the sites' tokens) both check.
 * @example const identity = await createWorkloadTokenVerifier(options)(token);
 */
export function createWorkloadTokenVerifier(
  options: EventSenderVerifierOptions,
): WorkloadTokenVerifier {
  const { issuer, audience, allowedSenders } = options;
  const keys: JWTVerifyGetKey =
    typeof options.jwks === 'string' || options.jwks instanceof URL
      ? createRemoteJWKSet(new URL(String(options.jwks)), {
          cooldownDuration: options.cooldownMs ?? 1_000,
          cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
          timeoutDuration: options.timeoutMs ?? 5_000,
        })
      : createLocalJWKSet(options.jwks);
  return async (token) => {
    let subject: string;
    let expiresAt: number;
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        audience,
        algorithms: ['ES256', 'RS256'],
        requiredClaims: ['exp', 'sub'],
        clockTolerance: options.clockToleranceSeconds ?? 30,
      });
      subject = String(payload.sub);
      expiresAt = Number(payload.exp) * 1000;
    } catch (error) {
      if (isTokenError(error)) {
        throw unauthenticated(`The OIDC token was refused: ${(error as Error).message}.`);
      }
      throw new Problem(
        503,
        'The OIDC issuer keys cannot be read right now; try again.',
        {},
        {
          'retry-after': '5',
        },
      );
    }
    if (!allowedSenders.some((pattern) => subjectMatches(pattern, subject))) {
      throw new Problem(403, `${subject} is not allowed to send events here by any EventPolicy.`, {
        type: FORBIDDEN,
        title: 'Event sender not allowed',
      });
    }
    return { subject, audience, issuer, expiresAt };
  };
}

/**
 * Verifies event senders: the request's bearer token, by {@link createWorkloadTokenVerifier}.
 * @example
 * const verify = createEventSenderVerifier({ issuer, jwks: `${issuer}/openid/v1/jwks`,
 *   audience: 'serving.knative.dev/service/shop/cart', allowedSenders: ['system:serviceaccount:shop:cart-on-payment-events-oidc-eventing.knative.dev-trigger'] });
 * const sender = await verify(request);
 */
export function createEventSenderVerifier(
  options: EventSenderVerifierOptions,
): EventSenderVerifier {
  const verifyToken = createWorkloadTokenVerifier(options);
  return async (request) => {
    const token = bearerToken(request);
    if (!token) throw unauthenticated('The request carries no OIDC bearer token.');
    const { subject, audience, issuer } = await verifyToken(token);
    return { subject, audience, issuer };
  };
}

/**
 * A verifier that refuses every event (401): what a consumer runs when no issuer or policy is
 * configured, so a wiring mistake fails closed.
 * @example const verify = refuseAllEventSenders('EVENTS_OIDC_ISSUER is not set');
 */
export function refuseAllEventSenders(reason: string): EventSenderVerifier {
  return async () => {
    throw unauthenticated(
      `Events are refused: event sender verification is not configured (${reason}).`,
    );
  };
}

/**
 * Hono middleware checking the sender of every request before the receiver sees it; the
 * verified sender's subject is logged with the request.
 * @example receiver.use(requireEventSender(verify));
 */
export function requireEventSender(verify: EventSenderVerifier): MiddlewareHandler<ServiceEnv> {
  return async (c, next) => {
    try {
      const sender = await verify(c.req.raw);
      const log = c.get('log');
      if (log) c.set('log', log.child({ eventSender: sender.subject }));
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      c.get('log')?.warn({ status: error.status, detail: error.detail }, 'event sender refused');
      return problemResponse(c as Context, error);
    }
    await next();
  };
}
