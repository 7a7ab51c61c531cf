import { PERMISSIONS, permissionsOf, type StaffRole } from '@shop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffUser } from '../staff.js';
import {
  createTestbed,
  GOOD_PASSWORD,
  latestLinkToken,
  postJson,
  signUpAndLogIn,
  type Testbed,
  type Tokens,
  uniqueEmail,
} from '../testing/fixtures.js';
import { verifyAccessToken } from '../tokens.js';

let bed: Testbed;
let admin: { userId: string; email: string; tokens: Tokens };

beforeAll(async () => {
  bed = await createTestbed();
  admin = await staffMember(['administrator']);
});
afterAll(() => bed.cleanup());

/** A staff member created as create-staff creates one, signed in. */
async function staffMember(roles: StaffRole[]) {
  const email = uniqueEmail('staff');
  const { userId } = await createStaffUser(bed.db, {
    email,
    name: 'Staff',
    password: GOOD_PASSWORD,
    roles,
  });
  return { userId, email, tokens: await logIn(email) };
}

async function logIn(email: string, password = GOOD_PASSWORD): Promise<Tokens> {
  const res = await postJson(bed.app, '/api/auth/login', { email, password });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
  return (await res.json()) as Tokens;
}

const bearer = (tokens: Tokens) => ({ authorization: `Bearer ${tokens.accessToken}` });

function send(
  method: string,
  path: string,
  tokens: Tokens | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return bed.app.request(path, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(tokens && bearer(tokens)),
      ...headers,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

const eventsOf = async (type: string, userId: string) =>
  (
    await bed.db.query<{ data: Record<string, unknown> }>(
      'SELECT data FROM auth.outbox WHERE type = $1 AND subject = $2 ORDER BY id',
      [type, userId],
    )
  ).rows.map((row) => row.data);

const jwks = () => bed.keys.jwks();

describe('access tokens of staff', () => {
  it('carry shopper, staff, the staff role names and their permissions as perms', async () => {
    const marketer = await staffMember(['marketing', 'analyst']);
    const claims = await verifyAccessToken(marketer.tokens.accessToken, await jwks());
    expect(claims.roles).toEqual(['shopper', 'staff', 'marketing', 'analyst']);
    expect(claims.perms).toEqual(permissionsOf(['marketing', 'analyst']));
    const adminClaims = await verifyAccessToken(admin.tokens.accessToken, await jwks());
    expect(adminClaims.perms).toEqual([...PERMISSIONS]);
  });

  it('of shoppers carry no perms, and discovery names the claim', async () => {
    const shopper = await signUpAndLogIn(bed.app);
    const claims = await verifyAccessToken(shopper.tokens.accessToken, await jwks());
    expect(claims.roles).toEqual(['shopper']);
    expect(claims.perms).toBeUndefined();
    const discovery = (await (
      await bed.app.request('/.well-known/openid-configuration')
    ).json()) as {
      claims_supported: string[];
    };
    expect(discovery.claims_supported).toContain('perms');
  });

  it('guard key rotation with keys:rotate', async () => {
    const auditor = await staffMember(['auditor']);
    const refused = await send('POST', '/api/admin/auth/keys/rotate', auditor.tokens);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ permission: 'keys:rotate' });
    expect((await send('POST', '/api/admin/auth/keys/rotate', admin.tokens)).status).toBe(200);
  });
});

describe('staff management', () => {
  it('is described in the OpenAPI document, with the roles a member can hold', async () => {
    const res = await bed.app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    for (const path of [
      '/api/admin/staff',
      '/api/admin/staff/{id}',
      '/api/admin/staff/invitations',
      '/api/admin/staff/{id}/roles',
      '/api/admin/staff/{id}/disable',
      '/api/auth/staff-invitation/accept',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(JSON.stringify(doc.components.schemas.StaffMember)).toContain('catalog-manager');
  });

  it('lists staff in cursor pages for staff:read (an auditor), shoppers refused', async () => {
    const auditor = await staffMember(['auditor']);
    await staffMember(['analyst']);
    const first = await send('GET', '/api/admin/staff?limit=2', auditor.tokens);
    expect(first.status).toBe(200);
    const page = (await first.json()) as {
      items: { userId: string; roles: string[]; status: string }[];
      nextCursor: string | null;
    };
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({ userId: admin.userId, roles: ['administrator'] });
    expect(page.nextCursor).toEqual(expect.any(String));
    const next = await send(
      'GET',
      `/api/admin/staff?limit=100&cursor=${page.nextCursor}`,
      auditor.tokens,
    );
    const rest = (await next.json()) as { items: { userId: string }[] };
    const seen = [...page.items, ...rest.items].map((item) => item.userId);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(auditor.userId);
    expect((await send('GET', '/api/admin/staff?cursor=forged', auditor.tokens)).status).toBe(400);
    const shopper = await signUpAndLogIn(bed.app);
    expect((await send('GET', '/api/admin/staff', shopper.tokens)).status).toBe(403);
    expect((await send('GET', '/api/admin/staff', undefined)).status).toBe(401);
  });

  it('lets an auditor change nothing', async () => {
    const auditor = await staffMember(['auditor']);
    const target = await staffMember(['analyst']);
    const attempts = [
      send('POST', '/api/admin/staff/invitations', auditor.tokens, {
        email: uniqueEmail('new'),
        name: 'New',
        roles: ['administrator'],
      }),
      send(
        'PUT',
        `/api/admin/staff/${target.userId}/roles`,
        auditor.tokens,
        { roles: ['administrator'] },
        { 'if-match': 'W/"1"' },
      ),
      send(
        'PUT',
        `/api/admin/staff/${auditor.userId}/roles`,
        auditor.tokens,
        {
          roles: ['administrator'],
        },
        { 'if-match': 'W/"1"' },
      ),
      send('POST', `/api/admin/staff/${target.userId}/disable`, auditor.tokens),
      send('POST', `/api/admin/staff/${target.userId}/enable`, auditor.tokens),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ permission: 'staff:manage' });
    }
    const after = await send('GET', `/api/admin/staff/${target.userId}`, auditor.tokens);
    expect(await after.json()).toMatchObject({ roles: ['analyst'], status: 'active', version: 1 });
  });

  it('invites by email; the link works once and sets the password; audit-ready events', async () => {
    const email = uniqueEmail('invitee');
    const res = await send('POST', '/api/admin/staff/invitations', admin.tokens, {
      email,
      name: 'Ines',
      roles: ['catalog-manager'],
      locale: 'de-DE',
    });
    expect(res.status).toBe(201);
    const invited = (await res.json()) as { userId: string; status: string; roles: string[] };
    expect(invited).toMatchObject({ status: 'invited', roles: ['catalog-manager'] });
    expect(res.headers.get('location')).toBe(`/api/admin/staff/${invited.userId}`);
    const [event] = await eventsOf('shop.staff.invited', invited.userId);
    expect(event).toMatchObject({
      email,
      locale: 'de-DE',
      roles: ['catalog-manager'],
      invitedBy: admin.userId,
      link: expect.stringMatching(/^http:\/\/127\.0\.0\.1:4323\/accept-invitation#token=/),
    });
    // No password works before the invitation is accepted.
    const early = await postJson(bed.app, '/api/auth/login', { email, password: GOOD_PASSWORD });
    expect(early.status).toBe(401);
    const token = await latestLinkToken(bed.db, 'shop.staff.invited', invited.userId);
    const weak = await postJson(bed.app, '/api/auth/staff-invitation/accept', {
      token,
      password: 'short',
    });
    expect(weak.status).toBe(400);
    const accept = () =>
      postJson(bed.app, '/api/auth/staff-invitation/accept', { token, password: GOOD_PASSWORD });
    expect((await accept()).status).toBe(204);
    expect((await accept()).status).toBe(400);
    const tokens = await logIn(email);
    const claims = await verifyAccessToken(tokens.accessToken, await jwks());
    expect(claims.perms).toEqual(permissionsOf(['catalog-manager']));
    expect(await eventsOf('shop.staff.invitation_accepted', invited.userId)).toEqual([
      { userId: invited.userId, roles: ['catalog-manager'], acceptedAt: expect.any(String) },
    ]);
    const member = await send('GET', `/api/admin/staff/${invited.userId}`, admin.tokens);
    expect(await member.json()).toMatchObject({ status: 'active' });
    const again = await send('POST', '/api/admin/staff/invitations', admin.tokens, {
      email,
      name: 'Ines',
      roles: ['marketing'],
    });
    expect(again.status).toBe(409);
  });

  it('changes roles with If-Match and revokes the sessions, so old tokens stop at once', async () => {
    const member = await staffMember(['marketing']);
    const path = `/api/admin/staff/${member.userId}/roles`;
    const body = { roles: ['order-support'] };
    expect((await send('PUT', path, admin.tokens, body)).status).toBe(428);
    const stale = await send('PUT', path, admin.tokens, body, { 'if-match': 'W/"7"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('W/"1"');
    expect(await stale.json()).toMatchObject({
      currentVersion: 1,
      current: { roles: ['marketing'] },
    });
    const bad = await send('PUT', path, admin.tokens, { roles: ['root'] }, { 'if-match': 'W/"1"' });
    expect(bad.status).toBe(400);
    const res = await send('PUT', path, admin.tokens, body, { 'if-match': 'W/"1"' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"2"');
    expect(await res.json()).toMatchObject({ roles: ['order-support'], version: 2 });
    // The old token (marketing's perms) names a revoked session.
    expect((await send('GET', '/api/admin/staff', member.tokens)).status).toBe(401);
    const refresh = await postJson(bed.app, '/api/auth/refresh', {
      refreshToken: member.tokens.refreshToken,
    });
    expect(refresh.status).toBe(401);
    const claims = await verifyAccessToken((await logIn(member.email)).accessToken, await jwks());
    expect(claims.perms).toEqual(permissionsOf(['order-support']));
    expect(await eventsOf('shop.staff.roles_changed', member.userId)).toEqual([
      {
        userId: member.userId,
        previousRoles: ['marketing'],
        roles: ['order-support'],
        changedBy: admin.userId,
        revokedSessions: 1,
        changedAt: expect.any(String),
      },
    ]);
  });

  it('disables an account (sessions revoked, no login) and enables it again', async () => {
    const member = await staffMember(['analyst']);
    // A route for any signed-in account: its answer says whether the token still works.
    const signedIn = () => send('POST', '/api/auth/email-verification', member.tokens);
    expect((await signedIn()).status).toBe(409);
    const disabled = await send('POST', `/api/admin/staff/${member.userId}/disable`, admin.tokens);
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ status: 'disabled' });
    expect((await signedIn()).status).toBe(401);
    const login = await postJson(bed.app, '/api/auth/login', {
      email: member.email,
      password: GOOD_PASSWORD,
    });
    expect(login.status).toBe(403);
    expect(await login.json()).toMatchObject({
      type: 'https://shop.example/problems/account-disabled',
    });
    const wrong = await postJson(bed.app, '/api/auth/login', {
      email: member.email,
      password: 'not-the-password-at-all',
    });
    expect(wrong.status).toBe(401);
    expect(await eventsOf('shop.staff.disabled', member.userId)).toEqual([
      {
        userId: member.userId,
        disabledBy: admin.userId,
        revokedSessions: 1,
        disabledAt: expect.any(String),
      },
    ]);
    const enabled = await send('POST', `/api/admin/staff/${member.userId}/enable`, admin.tokens);
    expect(await enabled.json()).toMatchObject({ status: 'active' });
    await logIn(member.email);
    expect(await eventsOf('shop.staff.enabled', member.userId)).toHaveLength(1);
  });

  it('never removes the last active administrator, by role change or by disabling', async () => {
    // A database of its own: the shared one has other administrators.
    const own = await createTestbed();
    try {
      const email = uniqueEmail('only-admin');
      const { userId } = await createStaffUser(own.db, {
        email,
        name: 'Only',
        password: GOOD_PASSWORD,
      });
      const login = await postJson(own.app, '/api/auth/login', { email, password: GOOD_PASSWORD });
      const tokens = (await login.json()) as Tokens;
      const request = (method: string, path: string, body?: unknown) =>
        own.app.request(path, {
          method,
          headers: {
            ...bearer(tokens),
            'if-match': 'W/"1"',
            ...(body !== undefined && { 'content-type': 'application/json' }),
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
      const demote = await request('PUT', `/api/admin/staff/${userId}/roles`, {
        roles: ['auditor'],
      });
      expect(demote.status).toBe(409);
      expect(await demote.json()).toMatchObject({
        type: 'https://shop.example/problems/last-administrator',
      });
      expect((await request('POST', `/api/admin/staff/${userId}/disable`)).status).toBe(409);
      const member = await request('GET', `/api/admin/staff/${userId}`);
      expect(await member.json()).toMatchObject({ roles: ['administrator'], status: 'active' });
      // Two administrators demoting each other at once: one of them stays an administrator.
      const second = uniqueEmail('second-admin');
      const { userId: secondId } = await createStaffUser(own.db, {
        email: second,
        name: 'Second',
        password: GOOD_PASSWORD,
      });
      const secondLogin = await postJson(own.app, '/api/auth/login', {
        email: second,
        password: GOOD_PASSWORD,
      });
      const secondTokens = (await secondLogin.json()) as Tokens;
      const demoteBy = (by: Tokens, id: string) =>
        own.app.request(`/api/admin/staff/${id}/roles`, {
          method: 'PUT',
          headers: { ...bearer(by), 'if-match': 'W/"1"', 'content-type': 'application/json' },
          body: JSON.stringify({ roles: ['auditor'] }),
        });
      const answers = await Promise.all([
        demoteBy(tokens, secondId),
        demoteBy(secondTokens, userId),
      ]);
      expect(answers.map((res) => res.status).filter((status) => status === 200)).toHaveLength(1);
      const { rows } = await own.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM auth.credential WHERE 'administrator' = ANY (roles)`,
      );
      expect(rows[0]?.n).toBe(1);
    } finally {
      await own.cleanup();
    }
  });
});
