// POST /api/admin/auth/keys/rotate — staff rotate the token signing key
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { requirePermission, type ServiceEnv } from '@shop/shared';
import type { AuthDeps } from '../deps.js';
import { events } from '../events.js';
import { problem } from './schemas.js';

const rotateRoute = createRoute({
  method: 'post',
  path: '/api/admin/auth/keys/rotate',
  tags: ['staff'],
  summary: 'Make a new signing key current; the old one stays in the JWKS as previous',
  responses: {
    200: {
      description: 'Rotated',
      content: {
        'application/json': {
          schema: z
            .object({ kid: z.string(), previousKid: z.string().nullable() })
            .openapi('KeyRotation'),
        },
      },
    },
    401: problem('No identity'),
    403: problem('Not staff, or no keys:rotate'),
  },
});

/** Registers the staff key routes (the gateway passes the identity; checked again here). */
export function registerAdminKeyRoutes(app: OpenAPIHono<ServiceEnv>, deps: AuthDeps): void {
  app.openapi(rotateRoute, async (c) => {
    const staff = requirePermission(c, 'keys:rotate');
    let previousKid: string | null = null;
    // Audited: shop.auth.key_rotated (key ids and the actor, never key material) commits with
    // the new key.
    const kid = await deps.keys.rotate(async (tx, rotation) => {
      previousKid = rotation.previousKid;
      await events.write(tx, {
        type: 'shop.auth.key_rotated',
        subject: rotation.kid,
        partitionKey: rotation.kid,
        data: { ...rotation, rotatedBy: staff.userId, rotatedAt: deps.clock().toISOString() },
      });
    });
    deps.onEventsRecorded();
    c.get('log').info({ kid, previousKid, by: staff.userId }, 'signing key rotated');
    return c.json({ kid, previousKid }, 200);
  });
}
