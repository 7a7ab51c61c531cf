import { Problem, type ServiceEnv } from '@shop/shared';
import type { MiddlewareHandler } from 'hono';
import { requestTarget } from '../../request-target.js';
import { requiredAccess } from '../../routes-table.js';
import type { AuthenticationEnv } from '../authentication/index.js';

function invalidToken(detail: string): Problem {
  return new Problem(
    401,
    detail,
    { type: 'https://shop.example/problems/invalid-token' },
    { 'www-authenticate': 'Bearer error="invalid_token"' },
  );
}

/**
 * Lets through only who may call the path: a refused bearer token is a 401 `invalid_token`
 * problem on every route (503 when the signing keys cannot be fetched), never a downgrade to
 * anonymous; a path that needs a signed-in user (`requiredAccess`, judged on the raw path) is a
 * 401 to anonymous callers, one that needs `staff` a 403 to everyone else.
 * @example app.use(authentication({ verifyToken })).use(rateLimit(limits)).use(roleGate());
 */
export function roleGate(): MiddlewareHandler<ServiceEnv & AuthenticationEnv> {
  return (c, next) => {
    const rejection = c.get('tokenRejection');
    if (rejection?.reason === 'keys-unavailable') {
      c.get('log').error({ err: rejection }, 'cannot verify tokens: signing keys unavailable');
      throw new Problem(503, 'Tokens cannot be verified right now.');
    }
    if (rejection) throw invalidToken('The access token is not valid.');
    const identity = c.get('identity');
    const access = requiredAccess(requestTarget(c.req.url).path);
    if (access !== 'public' && !identity) {
      throw new Problem(401, 'Sign in first.', {}, { 'www-authenticate': 'Bearer' });
    }
    if (access === 'staff' && !identity?.roles.includes('staff')) {
      throw new Problem(403, 'This needs the staff role.');
    }
    return next();
  };
}
