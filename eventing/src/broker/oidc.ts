// The OIDC side of Knative Eventing's `authentication-oidc`, as the local broker plays it:
// the names Knative gives audiences and OIDC identities (knative/eventing pkg/auth), and a dev
// issuer standing in for the Kubernetes API server, which signs the service-account tokens that
// publishers and the dispatcher present in the cluster.
import { generateKeyPairSync, type JsonWebKey, randomUUID, sign } from 'node:crypto';

/** A JSON Web Key Set (RFC 7517) of public signing keys. */
export interface JSONWebKeySet {
  keys: (JsonWebKey & { kid: string; alg: string; use: string })[];
}

/** `sub` of a Kubernetes service-account token: `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountSubject(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * The audience Knative gives an addressable (`auth.GetAudience`): `<group>/<kind>/<ns>/<name>`,
 * lower case.
 * @example resourceAudience('eventing.knative.dev', 'Broker', 'shop', 'default') === 'eventing.knative.dev/broker/shop/default'
 */
export function resourceAudience(
  group: string,
  kind: string,
  namespace: string,
  name: string,
): string {
  return `${group}/${kind}/${namespace}/${name}`.toLowerCase();
}

/** Kubernetes' longest object name (kmeta's `longest`). */
const LONGEST_NAME = 63;

/**
 * The ServiceAccount Knative creates for a resource's OIDC identity
 * (`auth.GetOIDCServiceAccountNameForResource`): `<name>-oidc-<group>-<kind>`, lower case. Knative
 * hashes names longer than 63 characters (kmeta.ChildName); the local broker refuses them instead.
 * @example oidcServiceAccountName('eventing.knative.dev', 'Trigger', 'cart-on-payment-events') === 'cart-on-payment-events-oidc-eventing.knative.dev-trigger'
 * @throws Error when the name would be longer than 63 characters
 */
export function oidcServiceAccountName(group: string, kind: string, name: string): string {
  const sa = `${name}-oidc-${group}-${kind}`.toLowerCase();
  if (sa.length > LONGEST_NAME) {
    throw new Error(
      `the OIDC identity of ${kind} ${name} would be ${sa} (${sa.length} characters); Knative hashes names over ${LONGEST_NAME}, which the local broker does not: use a shorter name`,
    );
  }
  return sa;
}

/** What a token is issued for. */
export interface TokenRequest {
  namespace: string;
  /** The ServiceAccount whose identity the token carries. */
  serviceAccount: string;
  audience: string;
  /** Default: the issuer's (3600 s, as a TokenRequest's default). */
  ttlSeconds?: number;
}

/** A signer of service-account-shaped OIDC tokens with its discovery document and keys. */
export interface OidcIssuer {
  /** `iss` of every token, and the base of the discovery document. */
  readonly issuer: string;
  /** The public keys (what `/openid/v1/jwks` serves). */
  readonly jwks: JSONWebKeySet;
  /** The OpenID discovery document, as a Kubernetes API server serves it. */
  discovery(): Record<string, unknown>;
  /** An ES256 JWT: `iss`, `sub: system:serviceaccount:<ns>:<sa>`, `aud`, `iat`, `nbf`, `exp`. */
  issueToken(request: TokenRequest): string;
}

/** Path of the key set, the one a Kubernetes API server uses. */
export const JWKS_PATH = '/openid/v1/jwks';
/** Path of the OpenID discovery document. */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * A dev OIDC issuer with an ES256 key made now: it mints the tokens the cluster's API server
 * would (TokenRequest for a ServiceAccount and an audience) and publishes its keys.
 * @example const oidc = createOidcIssuer({ issuer: 'http://127.0.0.1:8070' });
 * const token = oidc.issueToken({ namespace: 'shop', serviceAccount: 'offer-oidc-sources.knative.dev-sinkbinding', audience: 'eventing.knative.dev/broker/shop/default' });
 */
export function createOidcIssuer(options: {
  issuer: string;
  ttlSeconds?: number;
  clock?: () => Date;
}): OidcIssuer {
  const issuer = options.issuer.replace(/\/+$/, '');
  const clock = options.clock ?? (() => new Date());
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  const jwks: JSONWebKeySet = {
    keys: [
      {
        ...(publicKey.export({ format: 'jwk' }) as JsonWebKey),
        kid,
        alg: 'ES256',
        use: 'sig',
      },
    ],
  };
  return {
    issuer,
    jwks,
    discovery: () => ({
      issuer,
      jwks_uri: `${issuer}${JWKS_PATH}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
    }),
    issueToken(request) {
      const iat = Math.floor(clock().getTime() / 1000);
      const header = { alg: 'ES256', kid, typ: 'JWT' };
      const claims = {
        iss: issuer,
        sub: serviceAccountSubject(request.namespace, request.serviceAccount),
        aud: [request.audience],
        iat,
        nbf: iat,
        exp: iat + (request.ttlSeconds ?? options.ttlSeconds ?? 3600),
        jti: randomUUID(),
        'kubernetes.io': {
          namespace: request.namespace,
          serviceaccount: { name: request.serviceAccount, uid: randomUUID() },
        },
      };
      const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
      const signature = sign('sha256', Buffer.from(input), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      return `${input}.${base64url(signature)}`;
    },
  };
}

/**
 * Hands out an identity's tokens for an audience, minting a new one when the cached one has less
 * than a fifth of its life left (as the dispatcher's token provider caches TokenRequests).
 */
export function createTokenCache(
  oidc: OidcIssuer,
  clock: () => number = Date.now,
): (request: TokenRequest) => string {
  const cache = new Map<string, { token: string; renewAt: number }>();
  return (request) => {
    const key = `${request.namespace}/${request.serviceAccount}/${request.audience}`;
    const cached = cache.get(key);
    const now = clock();
    if (cached && now < cached.renewAt) return cached.token;
    const ttlMs = (request.ttlSeconds ?? 3600) * 1000;
    const token = oidc.issueToken(request);
    cache.set(key, { token, renewAt: now + ttlMs * 0.8 });
    return token;
  };
}
