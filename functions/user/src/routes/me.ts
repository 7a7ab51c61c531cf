// /api/users/me — the caller's profile and settings; DELETE erases them (GDPR Art. 17)
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { formatEtag, newId, type ServiceEnv } from '@shop/shared';
import type { UserDeps } from '../deps.js';
import { planProfileChange } from '../domain/plan-profile-change.js';
import { eraseUserRecord } from '../erasure.js';
import {
  findProfile,
  insertConsent,
  isErased,
  listAddresses,
  listConsents,
  lockProfile,
  updateProfile,
} from '../store.js';
import { checkIfMatch, profileMissing, requireUserId } from './guards.js';
import {
  ConsentRecordSchema,
  canonicalLocale,
  ETagHeader,
  IfMatchHeaders,
  json,
  ProfileChangesSchema,
  ProfileSchema,
  presentProfile,
  problem,
} from './schemas.js';

const profileResponse = (description: string) => ({
  description,
  headers: ETagHeader,
  content: { 'application/json': { schema: ProfileSchema } },
});

const getMe = createRoute({
  method: 'get',
  path: '/api/users/me',
  tags: ['me'],
  summary: 'Your profile, settings and addresses',
  responses: {
    200: profileResponse('Your profile'),
    401: problem('No identity'),
    404: problem('No profile yet (sign-up still being processed), or the account was erased'),
  },
});

const patchMe = createRoute({
  method: 'patch',
  path: '/api/users/me',
  tags: ['me'],
  summary: 'Change display name, locale, preferred currency or marketing consent',
  request: { headers: IfMatchHeaders, body: json(ProfileChangesSchema) },
  responses: {
    200: profileResponse('Your profile after the change'),
    400: problem('Invalid input or an unknown field'),
    401: problem('No identity'),
    404: problem('No profile'),
    412: problem('If-Match names an old version; the body has currentVersion'),
  },
});

const deleteMe = createRoute({
  method: 'delete',
  path: '/api/users/me',
  tags: ['me'],
  summary: 'Erase your personal data (records shop.user.erased); repeating it answers 204 too',
  responses: { 204: { description: 'Erased' }, 401: problem('No identity') },
});

const getMyConsents = createRoute({
  method: 'get',
  path: '/api/users/me/consents',
  tags: ['me'],
  summary: 'Your marketing consent history, oldest first',
  responses: {
    200: {
      description: 'Every grant and withdrawal',
      content: {
        'application/json': { schema: z.object({ items: z.array(ConsentRecordSchema) }) },
      },
    },
    401: problem('No identity'),
    404: problem('No profile'),
  },
});

/** Registers the caller's own routes; identity comes from the gateway's headers. */
export function registerMeRoutes(app: OpenAPIHono<ServiceEnv>, deps: UserDeps): void {
  const { db, clock, onEventsRecorded } = deps;

  async function missing(userId: string): Promise<never> {
    throw profileMissing(await isErased(db, userId));
  }

  app.openapi(getMe, async (c) => {
    const userId = requireUserId(c);
    const profile = await findProfile(db, userId);
    if (!profile) return missing(userId);
    const addresses = await listAddresses(db, userId);
    return c.json(presentProfile(profile, addresses), 200, {
      ETag: formatEtag(profile.version),
    });
  });

  app.openapi(patchMe, async (c) => {
    const userId = requireUserId(c);
    const body = c.req.valid('json');
    const requested = {
      ...body,
      ...(typeof body.locale === 'string' && { locale: canonicalLocale(body.locale) }),
    };
    const profile = await db.transaction(async (tx) => {
      const current = await lockProfile(tx, userId);
      if (!current) return undefined;
      checkIfMatch(c.req.valid('header')['if-match'], current.version);
      const now = clock();
      const plan = planProfileChange(current, requested, now);
      if (Object.keys(plan.changes).length === 0) return current;
      const updated = await updateProfile(tx, userId, plan.changes, now);
      if (plan.consent) await insertConsent(tx, userId, newId(), plan.consent);
      return updated;
    });
    if (!profile) return missing(userId);
    const addresses = await listAddresses(db, userId);
    return c.json(presentProfile(profile, addresses), 200, {
      ETag: formatEtag(profile.version),
    });
  });

  app.openapi(deleteMe, async (c) => {
    const userId = requireUserId(c);
    const result = await eraseUserRecord(db, { userId, requestedBy: userId, now: clock() });
    if (result.firstErasure) onEventsRecorded();
    return c.body(null, 204);
  });

  app.openapi(getMyConsents, async (c) => {
    const userId = requireUserId(c);
    if (!(await findProfile(db, userId))) return missing(userId);
    const items = (await listConsents(db, userId)).map((record) => ({
      granted: record.granted,
      origin: record.origin,
      recordedAt: record.recordedAt.toISOString(),
    }));
    return c.json({ items }, 200);
  });
}
