// GET /.well-known/jwks.json and /.well-known/openid-configuration — how to verify our tokens
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ServiceEnv } from '@shop/shared';
import type { AuthDeps } from '../deps.js';

/** Registers the JWKS (current and previous public keys) and the discovery document. */
export function registerWellKnownRoutes(app: OpenAPIHono<ServiceEnv>, deps: AuthDeps): void {
  const issuer = deps.issuer.replace(/\/+$/, '');
  app.get('/.well-known/jwks.json', async (c) =>
    c.json(await deps.keys.jwks(), 200, {
      'cache-control': 'public, max-age=300',
      'content-type': 'application/jwk-set+json',
    }),
  );
  app.get('/.well-known/openid-configuration', (c) =>
    c.json(
      {
        issuer: deps.issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        token_endpoint: `${issuer}/api/auth/login`,
        registration_endpoint: `${issuer}/api/auth/signup`,
        revocation_endpoint: `${issuer}/api/auth/logout`,
        response_types_supported: ['token'],
        grant_types_supported: ['password', 'refresh_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        token_endpoint_auth_methods_supported: ['none'],
        claims_supported: [
          'iss',
          'aud',
          'sub',
          'exp',
          'iat',
          'jti',
          'roles',
          'perms',
          'sid',
          'email',
        ],
      },
      200,
      { 'cache-control': 'public, max-age=300' },
    ),
  );
}
