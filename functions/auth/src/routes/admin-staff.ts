// /api/admin/staff — administrators list staff, invite them by email with roles, change their
// roles and disable or enable them; POST /api/auth/staff-invitation/accept sets the password
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  cursorFingerprint,
  decodeOpaqueCursor,
  encodeOpaqueCursor,
  formatEtag,
  newId,
  Problem,
  parseIfMatch,
  requirePermission,
  type ServiceEnv,
  STAFF_ROLES,
  type StaffRole,
  text,
} from '@shop/shared';
import type { AuthDeps } from '../deps.js';
import { checkPassword, PASSWORD_MAX_LENGTH } from '../domain/check-password.js';
import { hashRefreshToken } from '../domain/refresh-token.js';
import { leavesNoAdministrator, storedStaffRoles } from '../domain/staff-roles.js';
import { claimEmailToken, voidEmailTokens } from '../email-tokens.js';
import { recordUserEvent } from '../events.js';
import { requestStaffInvitation } from '../mail-requests.js';
import {
  acceptStaffInvitation,
  findStaffMember,
  listStaff,
  lockActiveAdministrators,
  type StaffMember,
  setStaffDisabled,
  updateStaffRoles,
} from '../staff-store.js';
import {
  findCredentialByEmail,
  findMailProfile,
  insertCredential,
  revokeUserSessions,
} from '../store.js';
import { enforceLimit, requestIp, requireJson } from './request-guards.js';
import { jsonBody, problem } from './schemas.js';
import { EmailSchema } from './signup.js';

/** The password hash of an invitation not accepted yet: no password verifies against it. */
const NO_PASSWORD_YET = '!invitation-pending';

const RoleName = z.enum(Object.keys(STAFF_ROLES) as [StaffRole, ...StaffRole[]]);
const Roles = z
  .array(RoleName)
  .min(1)
  .max(Object.keys(STAFF_ROLES).length)
  .openapi({ description: 'Staff role names; each is a set of resource:action permissions.' });

const StaffMemberSchema = z
  .object({
    userId: z.uuid(),
    email: z.string(),
    displayName: z.string().nullable(),
    roles: z.array(RoleName),
    status: z.enum(['invited', 'active', 'disabled']),
    createdAt: z.string(),
    invitedAt: z.string().nullable(),
    invitedBy: z.string().nullable(),
    disabledAt: z.string().nullable(),
    version: z.int(),
  })
  .openapi('StaffMember');

const present = (member: StaffMember) => ({
  userId: member.userId,
  email: member.email,
  displayName: member.displayName,
  roles: member.roles,
  status: member.status,
  createdAt: member.createdAt.toISOString(),
  invitedAt: member.invitedAt?.toISOString() ?? null,
  invitedBy: member.invitedBy,
  disabledAt: member.disabledAt?.toISOString() ?? null,
  version: member.version,
});

const IdParams = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
const IfMatchHeader = z.object({
  'if-match': z.string().max(200).optional().openapi({ description: 'W/"<version>"' }),
});
const member = (description: string) => ({
  description,
  content: { 'application/json': { schema: StaffMemberSchema } },
});
const staffProblems = {
  401: problem('No valid access token'),
  403: problem('Not staff, or lacks the permission'),
};
const changeProblems = {
  ...staffProblems,
  400: problem('Invalid input'),
  404: problem('No staff member with this id'),
  409: problem('The change would leave no active administrator'),
  412: problem('If-Match names an old version'),
};

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/admin/staff',
    tags: ['staff'],
    summary: 'Staff members, oldest first, in cursor pages',
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(50),
        cursor: text({ max: 500 }).optional(),
      }),
    },
    responses: {
      200: {
        description: 'A page',
        content: {
          'application/json': {
            schema: z.object({
              items: z.array(StaffMemberSchema),
              nextCursor: z.string().nullable(),
            }),
          },
        },
      },
      400: problem('Invalid query or cursor'),
      ...staffProblems,
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/api/admin/staff/{id}',
    tags: ['staff'],
    summary: 'One staff member, with its ETag',
    request: { params: IdParams },
    responses: { 200: member('The staff member'), 404: problem('Not staff'), ...staffProblems },
  }),
  invite: createRoute({
    method: 'post',
    path: '/api/admin/staff/invitations',
    tags: ['staff'],
    summary: 'Invite someone by email with roles; notification mails a single-use expiring link',
    request: {
      body: jsonBody(
        z
          .strictObject({
            email: EmailSchema,
            name: text({ min: 1, max: 200 }),
            roles: Roles,
            locale: text({ min: 2, max: 35, trim: false })
              .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, 'must be a BCP 47 language tag')
              .optional(),
          })
          .openapi('StaffInvitation'),
      ),
    },
    responses: {
      201: member('Invited; the member is `invited` until the link is followed'),
      400: problem('Invalid input'),
      409: problem('The address has an account already'),
      415: problem('Not JSON'),
      ...staffProblems,
    },
  }),
  reinvite: createRoute({
    method: 'post',
    path: '/api/admin/staff/{id}/invitation',
    tags: ['staff'],
    summary: 'Mail a pending invitation again with a new link (the old one stops working)',
    request: { params: IdParams },
    responses: {
      202: member('A new link is on its way'),
      404: problem('No staff member with this id'),
      409: problem('The invitation was accepted already'),
      ...staffProblems,
    },
  }),
  roles: createRoute({
    method: 'put',
    path: '/api/admin/staff/{id}/roles',
    tags: ['staff'],
    summary: "Replace a staff member's roles; their sessions end, so the change applies at once",
    request: {
      params: IdParams,
      headers: IfMatchHeader,
      body: jsonBody(z.strictObject({ roles: Roles }).openapi('StaffRoles')),
    },
    responses: {
      200: member('The roles are changed'),
      ...changeProblems,
      415: problem('Not JSON'),
      428: problem('If-Match is missing'),
    },
  }),
  disable: createRoute({
    method: 'post',
    path: '/api/admin/staff/{id}/disable',
    tags: ['staff'],
    summary: 'Disable an account: every session ends, and it cannot sign in',
    request: { params: IdParams, headers: IfMatchHeader },
    responses: { 200: member('Disabled'), ...changeProblems },
  }),
  enable: createRoute({
    method: 'post',
    path: '/api/admin/staff/{id}/enable',
    tags: ['staff'],
    summary: 'Enable a disabled account again',
    request: { params: IdParams, headers: IfMatchHeader },
    responses: { 200: member('Enabled'), ...changeProblems },
  }),
  accept: createRoute({
    method: 'post',
    path: '/api/auth/staff-invitation/accept',
    tags: ['auth'],
    summary: "Accept a staff invitation with its link's token and choose the password",
    request: {
      body: jsonBody(
        z
          .strictObject({
            token: text({ max: 200, trim: false }),
            password: text({ max: PASSWORD_MAX_LENGTH * 4, trim: false }),
          })
          .openapi('StaffInvitationAccept'),
      ),
    },
    responses: {
      204: { description: 'Accepted; sign in with the password' },
      400: problem('Invalid body or password, or the link is used, expired or replaced'),
      415: problem('Not JSON'),
      429: problem('Too many attempts'),
    },
  }),
};

const notStaff = (id: string) => new Problem(404, `No staff member ${id}.`);
const INVALID_LINK = () =>
  new Problem(
    400,
    'This invitation link does not work any more (used, expired or replaced); ask for a new one.',
    { type: 'https://shop.example/problems/invalid-link', title: 'Invalid link' },
  );
const LAST_ADMINISTRATOR = () =>
  new Problem(409, 'This would leave no active administrator; make someone else one first.', {
    type: 'https://shop.example/problems/last-administrator',
    title: 'Last administrator',
  });

/** 412 unless `If-Match` names the member's version; `required` makes a missing one a 428. */
function checkVersion(header: string | undefined, current: StaffMember, required: boolean): void {
  const ifMatch = parseIfMatch(header);
  if (ifMatch.kind === 'missing' || ifMatch.kind === 'any') {
    if (!required) return;
    throw new Problem(428, 'Send If-Match with the ETag of the staff member you read.', {
      type: 'https://shop.example/problems/if-match-required',
    });
  }
  if (ifMatch.versions.includes(current.version)) return;
  throw new Problem(
    412,
    `This staff member changed since you read them: they are at version ${current.version}.`,
    {
      type: 'https://shop.example/problems/stale-version',
      currentVersion: current.version,
      current: present(current),
    },
    { ETag: formatEtag(current.version) },
  );
}

/** Registers staff management (auth verifies the token itself; each route its permission). */
export function registerAdminStaffRoutes(app: OpenAPIHono<ServiceEnv>, deps: AuthDeps): void {
  const { db, mailLinks } = deps;
  const answer = (member: StaffMember) => ({
    body: present(member),
    headers: { ETag: formatEtag(member.version) },
  });

  for (const path of ['/api/admin/staff/invitations', '/api/admin/staff/:id/roles']) {
    app.use(path, async (c, next) => {
      if (c.req.method === 'POST' || c.req.method === 'PUT') requireJson(c);
      await next();
    });
  }
  app.use('/api/auth/staff-invitation/accept', async (c, next) => {
    if (c.req.method === 'POST') requireJson(c);
    await next();
  });

  app.openapi(routes.list, async (c) => {
    requirePermission(c, 'staff:read');
    const { limit, cursor } = c.req.valid('query');
    const fingerprint = cursorFingerprint(['staff']);
    let after: string | undefined;
    if (cursor) {
      const payload = decodeOpaqueCursor(cursor);
      const id = payload?.i;
      if (payload?.f !== fingerprint || typeof id !== 'string' || !z.uuid().safeParse(id).success) {
        throw new Problem(400, 'The cursor is not one this listing gave.', {
          errors: [{ name: 'query.cursor', reason: 'is not a cursor of this listing' }],
        });
      }
      after = id;
    }
    const rows = await listStaff(db, { limit: limit + 1, ...(after && { after }) });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > limit && last ? encodeOpaqueCursor({ f: fingerprint, i: last.userId }) : null;
    return c.json({ items: page.map(present), nextCursor }, 200);
  });

  app.openapi(routes.get, async (c) => {
    requirePermission(c, 'staff:read');
    const { id } = c.req.valid('param');
    const found = await findStaffMember(db, id);
    if (!found) throw notStaff(id);
    const { body, headers } = answer(found);
    return c.json(body, 200, headers);
  });

  app.openapi(routes.invite, async (c) => {
    const invitedBy = requirePermission(c, 'staff:manage').userId;
    const input = c.req.valid('json');
    if (await findCredentialByEmail(db, input.email)) {
      throw new Problem(
        409,
        `${input.email} has an account already. To make an existing account staff, an ` +
          'operator runs create-staff --promote-existing (it sets a new password).',
        { type: 'https://shop.example/problems/email-taken', title: 'Address taken' },
      );
    }
    const now = deps.clock();
    const userId = newId();
    const invited = await db.transaction(async (tx) => {
      const inserted = await insertCredential(
        tx,
        {
          userId,
          email: input.email,
          passwordHash: NO_PASSWORD_YET,
          displayName: input.name,
          roles: storedStaffRoles(input.roles),
          locale: input.locale ?? null,
          invitedBy,
        },
        now,
      );
      if (!inserted) return undefined;
      const created = await findStaffMember(tx, userId);
      if (!created) throw new Error('the invited account vanished in its own transaction');
      await requestStaffInvitation(tx, mailLinks, created, invitedBy, now);
      return created;
    });
    if (!invited) {
      throw new Problem(409, `${input.email} has an account already.`, {
        type: 'https://shop.example/problems/email-taken',
        title: 'Address taken',
      });
    }
    deps.onEventsRecorded();
    c.get('log').info({ userId, by: invitedBy, roles: input.roles }, 'staff member invited');
    const { body, headers } = answer(invited);
    return c.json(body, 201, { ...headers, Location: `/api/admin/staff/${userId}` });
  });

  app.openapi(routes.reinvite, async (c) => {
    const invitedBy = requirePermission(c, 'staff:manage').userId;
    const { id } = c.req.valid('param');
    const now = deps.clock();
    const outcome = await db.transaction(async (tx) => {
      const current = await findStaffMember(tx, id, { lock: true });
      if (!current) return undefined;
      if (current.status !== 'invited') return current;
      await requestStaffInvitation(tx, mailLinks, current, invitedBy, now);
      return current;
    });
    if (!outcome) throw notStaff(id);
    if (outcome.status !== 'invited') {
      throw new Problem(409, 'This invitation was accepted already.', {
        type: 'https://shop.example/problems/invitation-accepted',
      });
    }
    deps.onEventsRecorded();
    const { body, headers } = answer(outcome);
    return c.json(body, 202, headers);
  });

  app.openapi(routes.roles, async (c) => {
    const changedBy = requirePermission(c, 'staff:manage').userId;
    const { id } = c.req.valid('param');
    const { roles } = c.req.valid('json');
    const ifMatch = c.req.valid('header')['if-match'];
    const now = deps.clock();
    const changed = await db.transaction(async (tx) => {
      // Administrators first, then the member: every change locks in the same order.
      const administrators = await lockActiveAdministrators(tx);
      const current = await findStaffMember(tx, id, { lock: true });
      if (!current) throw notStaff(id);
      checkVersion(ifMatch, current, true);
      if (
        administrators.includes(id) &&
        !roles.includes('administrator') &&
        leavesNoAdministrator(administrators, id)
      ) {
        throw LAST_ADMINISTRATOR();
      }
      const after = await updateStaffRoles(tx, id, storedStaffRoles(roles), now);
      if (!after) throw notStaff(id);
      // Tokens carry the old permissions: end the sessions, so the change applies at once.
      const revokedSessions = await revokeUserSessions(tx, id, 'roles_changed', now);
      await recordUserEvent(tx, 'shop.staff.roles_changed', {
        userId: id,
        previousRoles: current.roles,
        roles: after.roles,
        changedBy,
        revokedSessions,
        changedAt: now.toISOString(),
      });
      return after;
    });
    deps.onEventsRecorded();
    c.get('log').info({ userId: id, by: changedBy, roles: changed.roles }, 'staff roles changed');
    const { body, headers } = answer(changed);
    return c.json(body, 200, headers);
  });

  app.openapi(routes.disable, async (c) => {
    const disabledBy = requirePermission(c, 'staff:manage').userId;
    const { id } = c.req.valid('param');
    const ifMatch = c.req.valid('header')['if-match'];
    const now = deps.clock();
    const disabled = await db.transaction(async (tx) => {
      const administrators = await lockActiveAdministrators(tx);
      const current = await findStaffMember(tx, id, { lock: true });
      if (!current) throw notStaff(id);
      checkVersion(ifMatch, current, false);
      if (current.status === 'disabled') return current;
      if (administrators.includes(id) && leavesNoAdministrator(administrators, id)) {
        throw LAST_ADMINISTRATOR();
      }
      const after = await setStaffDisabled(tx, id, disabledBy, now);
      if (!after) throw notStaff(id);
      const revokedSessions = await revokeUserSessions(tx, id, 'disabled', now);
      await recordUserEvent(tx, 'shop.staff.disabled', {
        userId: id,
        disabledBy,
        revokedSessions,
        disabledAt: now.toISOString(),
      });
      return after;
    });
    deps.onEventsRecorded();
    const { body, headers } = answer(disabled);
    return c.json(body, 200, headers);
  });

  app.openapi(routes.enable, async (c) => {
    const enabledBy = requirePermission(c, 'staff:manage').userId;
    const { id } = c.req.valid('param');
    const ifMatch = c.req.valid('header')['if-match'];
    const now = deps.clock();
    const enabled = await db.transaction(async (tx) => {
      const current = await findStaffMember(tx, id, { lock: true });
      if (!current) throw notStaff(id);
      checkVersion(ifMatch, current, false);
      if (current.status !== 'disabled') return current;
      const after = await setStaffDisabled(tx, id, null, now);
      if (!after) throw notStaff(id);
      await recordUserEvent(tx, 'shop.staff.enabled', {
        userId: id,
        enabledBy,
        enabledAt: now.toISOString(),
      });
      return after;
    });
    deps.onEventsRecorded();
    const { body, headers } = answer(enabled);
    return c.json(body, 200, headers);
  });

  app.openapi(routes.accept, async (c) => {
    const body = c.req.valid('json');
    await enforceLimit(deps.limiters.tokenPerIp, requestIp(c));
    const now = deps.clock();
    // The policy is checked before the token is spent, so a refused password keeps the link.
    const { rows } = await db.query<{ email: string }>(
      `SELECT email FROM auth.email_token
       WHERE token_hash = $1 AND purpose = 'accept_invitation' AND used_at IS NULL AND expires_at > $2`,
      [hashRefreshToken(body.token), now],
    );
    const pending = rows[0];
    if (!pending) throw INVALID_LINK();
    const weakness = checkPassword(body.password, pending.email, deps.commonPasswords);
    if (weakness) {
      throw new Problem(400, `The password ${weakness}.`, {
        type: 'https://shop.example/problems/validation',
        title: 'Invalid request',
        errors: [{ name: 'json.password', reason: weakness }],
      });
    }
    const passwordHash = await deps.hasher.hash(body.password);
    const accepted = await db.transaction(async (tx) => {
      const claimed = await claimEmailToken(tx, body.token, ['accept_invitation'], now);
      if (!claimed) return false;
      const profile = await findMailProfile(tx, claimed.userId, { lock: true });
      // Thrown, not returned: the claim rolls back, so a refused request stores nothing.
      if (!profile || profile.email !== claimed.email) throw INVALID_LINK();
      if (!(await acceptStaffInvitation(tx, claimed.userId, passwordHash, now))) {
        throw INVALID_LINK();
      }
      await voidEmailTokens(tx, claimed.userId, ['accept_invitation']);
      const after = await findStaffMember(tx, claimed.userId);
      await recordUserEvent(tx, 'shop.staff.invitation_accepted', {
        userId: claimed.userId,
        roles: after?.roles ?? [],
        acceptedAt: now.toISOString(),
      });
      return true;
    });
    if (!accepted) throw INVALID_LINK();
    deps.onEventsRecorded();
    return c.body(null, 204);
  });
}
