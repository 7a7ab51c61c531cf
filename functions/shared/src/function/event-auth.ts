// Event authentication settings the kit adds to every function: the OIDC token it presents to
// K_SINK, and how its /events receiver verifies the broker's tokens (issuer, keys, its own
// audience, the senders its EventPolicy allows). Wired once here, from the environment.
import { z } from 'zod';
import {
  createEventSenderVerifier,
  type EventSenderVerifier,
  refuseAllEventSenders,
} from '../events/sender-auth.js';
import {
  SINK_BINDING_TOKEN_FILE,
  sinkTokenFromFile,
  tokenFileExists,
} from '../events/sink-token.js';
import type { Logger } from '../logger.js';

/** The issuer the local broker plays in `npm run dev` (its ingress URL). */
export const DEV_EVENTS_OIDC_ISSUER = 'http://127.0.0.1:8070';

/** Where a Kubernetes API server (and the local broker) publishes its service-account keys. */
export const OIDC_JWKS_PATH = '/openid/v1/jwks';

export const eventAuthConfigShape = {
  /**
   * File holding the OIDC token presented to K_SINK (re-read as it is renewed); default the
   * SinkBinding's mount `/oidc/token` when it exists.
   */
  K_SINK_OIDC_TOKEN_FILE: z.string().min(1).optional(),
  /**
   * `iss` of the tokens the broker presents to /events: the cluster's service-account issuer.
   * Default on the embedded database only: the dev broker, `http://127.0.0.1:8070`.
   */
  EVENTS_OIDC_ISSUER: z.string().min(1).optional(),
  /** The issuer's keys; default `<EVENTS_OIDC_ISSUER>/openid/v1/jwks`. */
  EVENTS_OIDC_JWKS_URL: z.url().optional(),
  /** `aud` the tokens must carry; default `serving.knative.dev/service/shop/<name>`. */
  EVENTS_OIDC_AUDIENCE: z.string().min(1).optional(),
  /**
   * Comma-separated `sub`s this function's EventPolicy allows (a trailing `*` matches any
   * suffix): the OIDC identities of the Triggers delivering to it. Unset: every event refused.
   */
  EVENTS_ALLOWED_SENDERS: z.string().optional(),
};

export type EventAuthSettings = z.infer<z.ZodObject<typeof eventAuthConfigShape>> & {
  DATABASE_URL?: string;
  K_SINK?: string;
};

/**
 * The OIDC audience of a function's Knative Service, in Knative's `<group>/<kind>/<ns>/<name>`
 * form: what its Triggers name as `subscriber.audience`.
 * @example functionAudience('cart') === 'serving.knative.dev/service/shop/cart'
 */
export function functionAudience(name: string, namespace = 'shop'): string {
  return `serving.knative.dev/service/${namespace}/${name}`.toLowerCase();
}

/** The senders of EVENTS_ALLOWED_SENDERS. */
export function parseAllowedSenders(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The verifier of a consuming function's /events, from its settings; a verifier refusing
 * every event (with an error line now) when the issuer or the allowed senders are missing.
 * @example const verify = eventSenderVerifierFromConfig(config, { name: 'cart', log });
 */
export function eventSenderVerifierFromConfig(
  settings: EventAuthSettings,
  context: { name: string; log: Logger },
): EventSenderVerifier {
  const issuer =
    settings.EVENTS_OIDC_ISSUER ?? (settings.DATABASE_URL ? undefined : DEV_EVENTS_OIDC_ISSUER);
  const allowedSenders = parseAllowedSenders(settings.EVENTS_ALLOWED_SENDERS);
  const missing = [
    ...(issuer ? [] : ['EVENTS_OIDC_ISSUER']),
    ...(allowedSenders.length > 0 ? [] : ['EVENTS_ALLOWED_SENDERS']),
  ];
  if (missing.length > 0) {
    const reason = `${missing.join(' and ')} not set`;
    context.log.error(`every event sent to /events is refused (401): ${reason}`);
    return refuseAllEventSenders(reason);
  }
  const audience = settings.EVENTS_OIDC_AUDIENCE ?? functionAudience(context.name);
  const jwks = settings.EVENTS_OIDC_JWKS_URL ?? `${issuer!.replace(/\/+$/, '')}${OIDC_JWKS_PATH}`;
  context.log.info(
    { issuer, jwks, audience, allowedSenders },
    'events accepted from these senders',
  );
  return createEventSenderVerifier({ issuer: issuer!, jwks, audience, allowedSenders });
}

/**
 * The OIDC token source of a publishing function: K_SINK_OIDC_TOKEN_FILE, else the
 * SinkBinding's `/oidc/token` when mounted; without either, events go without a token (one
 * log line, an error in production).
 * @throws Error when the named file is missing or empty
 */
export function sinkTokenFromConfig(
  settings: EventAuthSettings,
  context: { log: Logger },
): (() => Promise<string>) | undefined {
  if (!settings.K_SINK) return undefined;
  const file =
    settings.K_SINK_OIDC_TOKEN_FILE ??
    (tokenFileExists(SINK_BINDING_TOKEN_FILE) ? SINK_BINDING_TOKEN_FILE : undefined);
  if (file) {
    try {
      return sinkTokenFromFile(file);
    } catch (error) {
      throw new Error(
        `K_SINK_OIDC_TOKEN_FILE: cannot read the OIDC token for K_SINK: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  context.log[settings.DATABASE_URL ? 'error' : 'warn'](
    `K_SINK_OIDC_TOKEN_FILE is not set and ${SINK_BINDING_TOKEN_FILE} does not exist: events go to K_SINK without a token, which a broker with authentication-oidc refuses (401)`,
  );
  return undefined;
}
