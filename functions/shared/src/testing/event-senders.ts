// A test OIDC issuer standing in for the cluster's (or the dev broker's): tokens shaped like
// Kubernetes service-account tokens, signed with a key made for this test process, accepted only
// by a verifier handed `testVerifyEventSender` (never by the kit's default).
import { generateKeyPairSync, type JsonWebKey, randomUUID, sign } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { createEventSenderVerifier, type EventSenderVerifier } from '../events/sender-auth.js';

/** The `iss` of test event tokens. */
export const TEST_EVENTS_ISSUER = 'https://oidc.events.test';
/** The subject of test event tokens: a Trigger's OIDC identity, as Knative names it. */
export const TEST_EVENT_SENDER =
  'system:serviceaccount:shop:test-trigger-oidc-eventing.knative.dev-trigger';
const KID = 'test-events-key';

const keyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
// Signs tokens no test verifier trusts (a forger's own issuer).
const strangerKeyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** The test issuer's public keys. */
export const testEventsJwks: JSONWebKeySet = {
  keys: [
    {
      ...(keyPair.publicKey.export({ format: 'jwk' }) as JsonWebKey),
      kid: KID,
      alg: 'ES256',
      use: 'sig',
    } as JSONWebKeySet['keys'][number],
  ],
};

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export interface TestEventTokenOptions {
  /** Default {@link TEST_EVENT_SENDER}. */
  subject?: string;
  /** Default {@link TEST_EVENTS_ISSUER}. */
  issuer?: string;
  /** Seconds until `exp` (negative: already expired); default 3600. */
  ttlSeconds?: number;
  now?: Date;
  /** Sign with a key the test issuer does not publish (a forged token). */
  foreignKey?: boolean;
}

/**
 * An ES256 token for `audience` shaped like a Kubernetes service-account token (`iss`, `sub`
 * `system:serviceaccount:<ns>:<name>`, `aud`, `exp`, `kubernetes.io`), signed by the test issuer.
 * @example const token = testEventToken('serving.knative.dev/service/shop/cart');
 */
export function testEventToken(audience: string, options: TestEventTokenOptions = {}): string {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const subject = options.subject ?? TEST_EVENT_SENDER;
  const [, , namespace = '', name = ''] = subject.split(':');
  const header = { alg: 'ES256', kid: KID, typ: 'JWT' };
  const claims = {
    iss: options.issuer ?? TEST_EVENTS_ISSUER,
    sub: subject,
    aud: [audience],
    iat,
    nbf: iat,
    exp: iat + (options.ttlSeconds ?? 3600),
    jti: randomUUID(),
    'kubernetes.io': { namespace, serviceaccount: { name, uid: randomUUID() } },
  };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: (options.foreignKey ? strangerKeyPair : keyPair).privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${base64url(signature)}`;
}

/**
 * The `Authorization` header the broker's dispatcher sends to a subscriber of `audience`, for
 * receivers built (or functions started) with {@link testVerifyEventSender}.
 * @example await app.request('/events', { method: 'POST', headers: { ...ceHeaders, ...testEventHeaders(functionAudience('cart')) }, body });
 */
export function testEventHeaders(
  audience: string,
  options: TestEventTokenOptions = {},
): { authorization: string } {
  return { authorization: `Bearer ${testEventToken(audience, options)}` };
}

/**
 * Verifies test event tokens for `audience` from `allowedSenders` (default
 * {@link TEST_EVENT_SENDER}): pass it as `verifySender`, or as `verifyEventSender` to `start()`.
 * @example const started = await cart.start({ env, verifyEventSender: testVerifyEventSender(functionAudience('cart')) });
 */
export function testVerifyEventSender(
  audience: string,
  allowedSenders: readonly string[] = [TEST_EVENT_SENDER],
): EventSenderVerifier {
  return createEventSenderVerifier({
    issuer: TEST_EVENTS_ISSUER,
    jwks: testEventsJwks,
    audience,
    allowedSenders,
  });
}
