import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher, type PasswordHasher } from './password-hasher.js';
import { createStaffUser, StaffAccountExistsError, StaffAccountUnverifiedError } from './staff.js';
import {
  createTestbed,
  GOOD_PASSWORD,
  postJson,
  signUpAndLogIn,
  type Testbed,
  type Tokens,
  uniqueEmail,
  verifyEmailOf,
} from './testing/fixtures.js';
import { verifyAccessToken } from './tokens.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed?.cleanup());

const OPERATOR_PASSWORD = 'quartz-meadow-signal-77';
const login = (email: string, password: string) =>
  postJson(bed.app, '/api/auth/login', { email, password });
const rolesOf = async (email: string) =>
  (
    await bed.db.query<{ roles: string[] }>('SELECT roles FROM auth.credential WHERE email = $1', [
      email,
    ])
  ).rows[0]?.roles;

// Issue 10, point 5: an attacker signs up first with the email an operator later makes staff.
describe('createStaffUser and an account someone signed up first', () => {
  it('refuses to promote it, says how, and changes nothing', async () => {
    const { email, tokens } = await signUpAndLogIn(bed.app, uniqueEmail('ops'));
    const attempt = createStaffUser(bed.db, { email, name: 'Ops', password: OPERATOR_PASSWORD });
    await expect(attempt).rejects.toBeInstanceOf(StaffAccountExistsError);
    await expect(attempt).rejects.toThrow(/already has an account.*--promote-existing/s);
    expect(await rolesOf(email)).toEqual(['shopper']);
    expect((await login(email, OPERATOR_PASSWORD)).status).toBe(401);
    const refresh = await postJson(bed.app, '/api/auth/refresh', {
      refreshToken: tokens.refreshToken,
    });
    expect(refresh.status).toBe(200);
  });

  it("with promoteExisting takes it over: the attacker's password and refresh tokens stop working", async () => {
    const { email, userId, tokens } = await signUpAndLogIn(bed.app, uniqueEmail('ops'));
    await verifyEmailOf(bed.app, bed.db, userId);
    const second = (await (await login(email, GOOD_PASSWORD)).json()) as Tokens;

    const result = await createStaffUser(
      bed.db,
      { email: email.toUpperCase(), name: 'Ops', password: OPERATOR_PASSWORD },
      { promoteExisting: true },
    );
    expect(result).toEqual({ userId, created: false, promoted: true, revokedSessions: 2 });

    expect((await login(email, GOOD_PASSWORD)).status).toBe(401);
    for (const refreshToken of [tokens.refreshToken, second.refreshToken]) {
      expect((await postJson(bed.app, '/api/auth/refresh', { refreshToken })).status).toBe(401);
    }
    const { rows } = await bed.db.query<{ revoked_reason: string | null }>(
      'SELECT revoked_reason FROM auth.session WHERE user_id = $1',
      [userId],
    );
    expect(rows.map((row) => row.revoked_reason)).toEqual(['password_reset', 'password_reset']);

    const operator = await login(email, OPERATOR_PASSWORD);
    expect(operator.status).toBe(200);
    const { accessToken } = (await operator.json()) as Tokens;
    const claims = await verifyAccessToken(accessToken, await bed.keys.jwks());
    expect(claims.roles).toEqual(['shopper', 'staff', 'administrator']);
    const { rows: hashes } = await bed.db.query<{ password_hash: string }>(
      'SELECT password_hash FROM auth.credential WHERE user_id = $1',
      [userId],
    );
    expect(hashes[0]?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('gives a login that verified the old password just before the takeover no session', async () => {
    const { email, userId } = await signUpAndLogIn(bed.app, uniqueEmail('ops'));
    await verifyEmailOf(bed.app, bed.db, userId);
    const real = createPasswordHasher();
    let takeover: Promise<unknown> | undefined;
    // The operator's reset lands between the attacker's password check and their session.
    const racing: PasswordHasher = {
      ...real,
      params: real.params,
      async verify(stored, password) {
        const ok = await real.verify(stored, password);
        takeover ??= createStaffUser(
          bed.db,
          { email, name: 'Ops', password: OPERATOR_PASSWORD },
          { promoteExisting: true },
        );
        await takeover;
        return ok;
      },
    };
    const attacker = await postJson(bed.makeApp({ passwordHasher: racing }), '/api/auth/login', {
      email,
      password: GOOD_PASSWORD,
    });
    expect(attacker.status).toBe(401);
    expect((await login(email, OPERATOR_PASSWORD)).status).toBe(200);
  });

  it('never makes an account staff whose address was not verified, even with promoteExisting', async () => {
    const { email, tokens } = await signUpAndLogIn(bed.app, uniqueEmail('ops'));
    const attempt = createStaffUser(
      bed.db,
      { email, name: 'Ops', password: OPERATOR_PASSWORD },
      { promoteExisting: true },
    );
    await expect(attempt).rejects.toBeInstanceOf(StaffAccountUnverifiedError);
    await expect(attempt).rejects.toThrow(/not verified/);
    expect(await rolesOf(email)).toEqual(['shopper']);
    expect((await login(email, GOOD_PASSWORD)).status).toBe(200);
    const refresh = await postJson(bed.app, '/api/auth/refresh', {
      refreshToken: tokens.refreshToken,
    });
    expect(refresh.status).toBe(200);
  });

  it('checks the new password before touching the account', async () => {
    const { email, userId } = await signUpAndLogIn(bed.app, uniqueEmail('ops'));
    await verifyEmailOf(bed.app, bed.db, userId);
    await expect(
      createStaffUser(
        bed.db,
        { email, name: 'Ops', password: 'Password1234' },
        { promoteExisting: true },
      ),
    ).rejects.toThrow(/password/);
    expect(await rolesOf(email)).toEqual(['shopper']);
    expect((await login(email, GOOD_PASSWORD)).status).toBe(200);
  });

  it('creates a new email as staff, and refuses it the second time without promoteExisting', async () => {
    const email = uniqueEmail('ops');
    const created = await createStaffUser(bed.db, {
      email,
      name: 'Ops',
      password: OPERATOR_PASSWORD,
    });
    expect(created).toEqual({ userId: expect.any(String), created: true });
    expect(await rolesOf(email)).toEqual(['shopper', 'staff', 'administrator']);
    await expect(
      createStaffUser(bed.db, { email, name: 'Ops', password: OPERATOR_PASSWORD }),
    ).rejects.toBeInstanceOf(StaffAccountExistsError);
  });
});
