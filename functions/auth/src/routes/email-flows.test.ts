import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAIL_LINKS } from '../deps.js';
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
import { remindUnverifiedAccounts } from '../verification-reminders.js';
import { RESET_REQUESTED_MESSAGE } from './email-flows.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed?.cleanup());

const NEW_PASSWORD = 'copper-lighthouse-orbit-93';
const bearer = (tokens: Tokens) => ({ authorization: `Bearer ${tokens.accessToken}` });
const later = (seconds: number) => () => new Date(Date.now() + seconds * 1000);
const eventsOf = async (type: string, userId: string) =>
  (
    await bed.db.query<{ data: Record<string, unknown> }>(
      'SELECT data FROM auth.outbox WHERE type = $1 AND subject = $2 ORDER BY id',
      [type, userId],
    )
  ).rows.map((row) => row.data);
const verifiedAt = async (userId: string) =>
  (
    await bed.db.query<{ email_verified_at: Date | null }>(
      'SELECT email_verified_at FROM auth.credential WHERE user_id = $1',
      [userId],
    )
  ).rows[0]?.email_verified_at;

describe('email verification', () => {
  it('mails a link at signup that verifies the address once', async () => {
    const signup = await postJson(bed.app, '/api/auth/signup', {
      email: uniqueEmail(),
      password: GOOD_PASSWORD,
      name: 'Ana',
      locale: 'de-DE',
    });
    expect(signup.status).toBe(201);
    const account = (await signup.json()) as { userId: string; email: string };
    expect(account).toMatchObject({ emailVerified: false });
    const [event] = await eventsOf('shop.user.email_verification_requested', account.userId);
    expect(event).toMatchObject({
      userId: account.userId,
      email: account.email,
      displayName: 'Ana',
      locale: 'de-DE',
      reason: 'signup',
      link: expect.stringMatching(
        /^http:\/\/127\.0\.0\.1:4321\/account\/verify-email#token=[\w-]{43}$/,
      ),
    });
    const { rows } = await bed.db.query<{ token_hash: string }>(
      'SELECT token_hash FROM auth.email_token WHERE user_id = $1',
      [account.userId],
    );
    const token = await latestLinkToken(
      bed.db,
      'shop.user.email_verification_requested',
      account.userId,
    );
    expect(rows.map((row) => row.token_hash)).not.toContain(token);

    const first = await postJson(bed.app, '/api/auth/email-verification/confirm', { token });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      userId: account.userId,
      email: account.email,
      verified: true,
    });
    expect(await verifiedAt(account.userId)).toBeInstanceOf(Date);
    const again = await postJson(bed.app, '/api/auth/email-verification/confirm', { token });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({
      type: 'https://shop.example/problems/invalid-link',
    });
  });

  it('refuses a link past its expiry, and a new link replaces the old one', async () => {
    const { userId, tokens } = await signUpAndLogIn(bed.app);
    const signupToken = await latestLinkToken(
      bed.db,
      'shop.user.email_verification_requested',
      userId,
    );
    const expired = bed.makeApp({ clock: later(DEFAULT_MAIL_LINKS.verificationTtlSeconds + 1) });
    const tooLate = await postJson(expired, '/api/auth/email-verification/confirm', {
      token: signupToken,
    });
    expect(tooLate.status).toBe(400);
    expect(await verifiedAt(userId)).toBeNull();

    const resend = await postJson(
      bed.app,
      '/api/auth/email-verification',
      undefined,
      bearer(tokens),
    );
    expect(resend.status).toBe(202);
    const newToken = await latestLinkToken(
      bed.db,
      'shop.user.email_verification_requested',
      userId,
    );
    expect(newToken).not.toBe(signupToken);
    expect(
      (await postJson(bed.app, '/api/auth/email-verification/confirm', { token: signupToken }))
        .status,
    ).toBe(400);
    expect(
      (await postJson(bed.app, '/api/auth/email-verification/confirm', { token: newToken })).status,
    ).toBe(200);
    const verified = await postJson(
      bed.app,
      '/api/auth/email-verification',
      undefined,
      bearer(tokens),
    );
    expect(verified.status).toBe(409);
  });

  it('asks for a new link without a signed-in caller only with a 401', async () => {
    const res = await postJson(bed.app, '/api/auth/email-verification', undefined);
    expect(res.status).toBe(401);
  });

  it('reminds an unverified account once, some days after signup, with a new link', async () => {
    const unverified = await signUpAndLogIn(bed.app);
    const verified = await signUpAndLogIn(bed.app);
    const token = await latestLinkToken(
      bed.db,
      'shop.user.email_verification_requested',
      verified.userId,
    );
    await postJson(bed.app, '/api/auth/email-verification/confirm', { token });
    const options = { links: DEFAULT_MAIL_LINKS, afterSeconds: 2 * 24 * 3600 };
    await remindUnverifiedAccounts(bed.db, { ...options, now: new Date() });
    expect(
      await eventsOf('shop.user.email_verification_requested', unverified.userId),
    ).toHaveLength(1);

    await remindUnverifiedAccounts(bed.db, { ...options, now: later(3 * 24 * 3600)() });
    await remindUnverifiedAccounts(bed.db, { ...options, now: later(4 * 24 * 3600)() });
    const events = await eventsOf('shop.user.email_verification_requested', unverified.userId);
    expect(events.map((e) => e.reason)).toEqual(['signup', 'reminder']);
    expect(await eventsOf('shop.user.email_verification_requested', verified.userId)).toHaveLength(
      1,
    );
  });
});

describe('password reset', () => {
  it('answers the same whatever the address, and mails only an existing account', async () => {
    const { email, userId } = await signUpAndLogIn(bed.app);
    const answers = [];
    for (const address of [email, uniqueEmail('nobody'), 'not an address']) {
      const res = await postJson(bed.app, '/api/auth/password-reset', { email: address });
      answers.push({ status: res.status, body: await res.text() });
    }
    expect(answers[0]).toEqual({
      status: 202,
      body: JSON.stringify({ message: RESET_REQUESTED_MESSAGE }),
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    const [event] = await eventsOf('shop.user.password_reset_requested', userId);
    expect(event).toMatchObject({
      userId,
      email,
      link: expect.stringMatching(/\/account\/reset-password#token=[\w-]{43}$/),
    });
    const { rows } = await bed.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM auth.outbox WHERE type = 'shop.user.password_reset_requested'",
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('sets the new password once and revokes every session', async () => {
    const { email, userId, tokens } = await signUpAndLogIn(bed.app);
    const other = (await (
      await postJson(bed.app, '/api/auth/login', { email, password: GOOD_PASSWORD })
    ).json()) as Tokens;
    await postJson(bed.app, '/api/auth/password-reset', { email: email.toUpperCase() });
    const token = await latestLinkToken(bed.db, 'shop.user.password_reset_requested', userId);

    const weak = await postJson(bed.app, '/api/auth/password-reset/confirm', {
      token,
      password: 'short',
    });
    expect(weak.status).toBe(400);
    const reset = await postJson(bed.app, '/api/auth/password-reset/confirm', {
      token,
      password: NEW_PASSWORD,
    });
    expect(reset.status).toBe(204);

    for (const refreshToken of [tokens.refreshToken, other.refreshToken]) {
      expect((await postJson(bed.app, '/api/auth/refresh', { refreshToken })).status).toBe(401);
    }
    const { rows } = await bed.db.query<{ revoked_reason: string | null }>(
      'SELECT revoked_reason FROM auth.session WHERE user_id = $1',
      [userId],
    );
    expect(rows.map((row) => row.revoked_reason)).toEqual(['password_reset', 'password_reset']);
    expect(
      (await postJson(bed.app, '/api/auth/login', { email, password: GOOD_PASSWORD })).status,
    ).toBe(401);
    expect(
      (await postJson(bed.app, '/api/auth/login', { email, password: NEW_PASSWORD })).status,
    ).toBe(200);

    const replay = await postJson(bed.app, '/api/auth/password-reset/confirm', {
      token,
      password: 'another-fine-password-11',
    });
    expect(replay.status).toBe(400);
    expect(
      (await postJson(bed.app, '/api/auth/login', { email, password: NEW_PASSWORD })).status,
    ).toBe(200);
  });

  it('refuses a reset link past its expiry and leaves the password as it was', async () => {
    const { email, userId } = await signUpAndLogIn(bed.app);
    await postJson(bed.app, '/api/auth/password-reset', { email });
    const token = await latestLinkToken(bed.db, 'shop.user.password_reset_requested', userId);
    const expired = bed.makeApp({ clock: later(DEFAULT_MAIL_LINKS.resetTtlSeconds + 1) });
    const res = await postJson(expired, '/api/auth/password-reset/confirm', {
      token,
      password: NEW_PASSWORD,
    });
    expect(res.status).toBe(400);
    expect(
      (await postJson(bed.app, '/api/auth/login', { email, password: GOOD_PASSWORD })).status,
    ).toBe(200);
  });

  it('limits requests per address, known or not, alike', async () => {
    const app = bed.makeApp({ limits: { mailPerAccount: { limit: 2, windowSeconds: 3600 } } });
    const { email } = await signUpAndLogIn(bed.app);
    for (const address of [email, uniqueEmail('nobody')]) {
      const statuses = [];
      for (let i = 0; i < 3; i += 1) {
        statuses.push((await postJson(app, '/api/auth/password-reset', { email: address })).status);
      }
      expect(statuses).toEqual([202, 202, 429]);
    }
  });
});

describe('email change', () => {
  it('changes the address once both addresses confirmed, and ends every session', async () => {
    const { email, userId, tokens } = await signUpAndLogIn(bed.app);
    const newEmail = uniqueEmail('moved');
    const wrong = await postJson(
      bed.app,
      '/api/auth/email-change',
      { newEmail, password: 'not-the-password-at-all' },
      bearer(tokens),
    );
    expect(wrong.status).toBe(401);
    const anonymous = await postJson(bed.app, '/api/auth/email-change', {
      newEmail,
      password: GOOD_PASSWORD,
    });
    expect(anonymous.status).toBe(401);

    const requested = await postJson(
      bed.app,
      '/api/auth/email-change',
      { newEmail: newEmail.toUpperCase(), password: GOOD_PASSWORD },
      bearer(tokens),
    );
    expect(requested.status).toBe(202);
    const events = await eventsOf('shop.user.email_change_requested', userId);
    expect(events).toEqual([
      expect.objectContaining({ email, addressRole: 'current', currentEmail: email, newEmail }),
      expect.objectContaining({
        email: newEmail,
        addressRole: 'new',
        currentEmail: email,
        newEmail,
      }),
    ]);
    const currentToken = await latestLinkToken(bed.db, 'shop.user.email_change_requested', userId, {
      addressRole: 'current',
    });
    const newToken = await latestLinkToken(bed.db, 'shop.user.email_change_requested', userId, {
      addressRole: 'new',
    });

    const first = await postJson(bed.app, '/api/auth/email-change/confirm', { token: newToken });
    expect(await first.json()).toEqual({ status: 'waiting_for_other_address', email: newEmail });
    const replay = await postJson(bed.app, '/api/auth/email-change/confirm', { token: newToken });
    expect(replay.status).toBe(400);
    expect(
      (await postJson(bed.app, '/api/auth/login', { email: newEmail, password: GOOD_PASSWORD }))
        .status,
    ).toBe(401);

    const second = await postJson(bed.app, '/api/auth/email-change/confirm', {
      token: currentToken,
    });
    expect(await second.json()).toEqual({ status: 'changed', email: newEmail });
    expect(await eventsOf('shop.user.email_changed', userId)).toEqual([
      { userId, previousEmail: email, email: newEmail, changedAt: expect.any(String) },
    ]);
    expect(
      (await postJson(bed.app, '/api/auth/refresh', { refreshToken: tokens.refreshToken })).status,
    ).toBe(401);
    expect(
      (await postJson(bed.app, '/api/auth/login', { email, password: GOOD_PASSWORD })).status,
    ).toBe(401);
    expect(
      (await postJson(bed.app, '/api/auth/login', { email: newEmail, password: GOOD_PASSWORD }))
        .status,
    ).toBe(200);
    expect(await verifiedAt(userId)).toBeInstanceOf(Date);
  });

  it('refuses an address another account has, and links past their expiry', async () => {
    const { tokens } = await signUpAndLogIn(bed.app);
    const taken = await signUpAndLogIn(bed.app);
    const refused = await postJson(
      bed.app,
      '/api/auth/email-change',
      { newEmail: taken.email, password: GOOD_PASSWORD },
      bearer(tokens),
    );
    expect(refused.status).toBe(409);

    const { userId, tokens: own } = await signUpAndLogIn(bed.app);
    await postJson(
      bed.app,
      '/api/auth/email-change',
      { newEmail: uniqueEmail('moved'), password: GOOD_PASSWORD },
      bearer(own),
    );
    const expired = bed.makeApp({ clock: later(DEFAULT_MAIL_LINKS.changeTtlSeconds + 1) });
    for (const addressRole of ['current', 'new']) {
      const token = await latestLinkToken(bed.db, 'shop.user.email_change_requested', userId, {
        addressRole,
      });
      expect((await postJson(expired, '/api/auth/email-change/confirm', { token })).status).toBe(
        400,
      );
    }
  });
});
