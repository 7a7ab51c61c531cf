// GET /internal/sessions/revocations — the sessions auth revoked lately, for every verifier of
// access tokens (the kit's revocation feed), so a revoked session's tokens stop working within
// seconds instead of at their expiry. Mesh-internal (Istio); it names session ids only.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { problemResponses, type ServiceEnv } from '@shop/shared';
import type { AuthDeps } from '../deps.js';
import { listRevokedSessions } from '../store.js';

/** Clock skew allowed on top of the access-token lifetime when deciding what is still relevant. */
const SKEW_SECONDS = 60;

const RevocationPage = z
  .object({
    revoked: z.array(z.object({ sid: z.uuid(), revokedAt: z.iso.datetime({ offset: true }) })),
    asOf: z.iso.datetime({ offset: true }),
  })
  .openapi('RevocationPage');

const listRevocations = createRoute({
  method: 'get',
  path: '/internal/sessions/revocations',
  tags: ['internal'],
  summary: 'Sessions revoked since a time (default: all whose access tokens may still be live)',
  request: {
    query: z.object({
      since: z.iso.datetime({ offset: true }).optional().openapi({
        description: 'The asOf of the previous page (minus an overlap); older is clamped.',
      }),
    }),
  },
  responses: {
    200: {
      description: 'Revoked sessions, oldest first, and the time they were read',
      content: { 'application/json': { schema: RevocationPage } },
    },
    ...problemResponses({ 400: 'since is not an ISO 8601 time' }),
  },
});

/** Registers the revocation feed; see {@link listRevokedSessions}. */
export function registerRevocationRoutes(app: OpenAPIHono<ServiceEnv>, deps: AuthDeps): void {
  app.openapi(listRevocations, async (c) => {
    const now = deps.clock();
    // Older revocations matter to nobody: every token of those sessions has expired.
    const horizon = new Date(now.getTime() - (deps.accessTokenTtlSeconds + SKEW_SECONDS) * 1000);
    const asked = c.req.valid('query').since;
    const since = asked && Date.parse(asked) > horizon.getTime() ? new Date(asked) : horizon;
    const revoked = await listRevokedSessions(deps.db, since);
    return c.json(
      {
        revoked: revoked.map((entry) => ({
          sid: entry.sid,
          revokedAt: entry.revokedAt.toISOString(),
        })),
        asOf: now.toISOString(),
      },
      200,
      { 'cache-control': 'no-store' },
    );
  });
}
