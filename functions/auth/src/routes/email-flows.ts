// POST /api/auth/email-verification[/confirm], /api/auth/password-reset[/confirm],
// /api/auth/email-change[/confirm] — the flows whose links go out by mail
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { newId, Problem, requireIdentity, type ServiceEnv, text } from '@shop/shared';
import type { AuthDeps } from '../deps.js';
import { checkPassword, PASSWORD_MAX_LENGTH } from '../domain/check-password.js';
import { normalizeEmail } from '../domain/normalize-email.js';
import { hashRefreshToken } from '../domain/refresh-token.js';
import {
  cancelEmailChanges,
  claimEmailToken,
  completeEmailChange,
  confirmEmailChangeSide,
  insertEmailChange,
  voidEmailTokens,
} from '../email-tokens.js';
import { recordUserEvent } from '../events.js';
import {
  requestEmailChangeConfirmations,
  requestEmailVerification,
  requestPasswordReset,
} from '../mail-requests.js';
import {
  changeEmail,
  findCredentialById,
  findMailProfile,
  findMailProfileByEmail,
  markEmailVerified,
  resetPasswordHash,
  revokeUserSessions,
} from '../store.js';
import { enforceLimit, requestIp, requireJson } from './request-guards.js';
import { jsonBody, problem } from './schemas.js';
import { EmailSchema } from './signup.js';

const LinkTokenSchema = text({ max: 200, trim: false }).openapi({
  description: "The token from the mailed link's fragment (`#token=…`).",
});
const TokenBody = z.strictObject({ token: LinkTokenSchema }).openapi('LinkToken');
const ResetRequestBody = z
  .strictObject({ email: text({ max: 320 }) })
  .openapi('PasswordResetRequest');
const ResetConfirmBody = z
  .strictObject({
    token: LinkTokenSchema,
    password: text({ max: PASSWORD_MAX_LENGTH * 4, trim: false }).openapi({
      description: '12 to 128 characters; not a common password.',
    }),
  })
  .openapi('PasswordResetConfirm');
const EmailChangeBody = z
  .strictObject({
    newEmail: EmailSchema,
    password: text({ max: 1024, trim: false }).openapi({
      description: 'The current password: changing the address needs it again.',
    }),
  })
  .openapi('EmailChangeRequest');

const Accepted = z.object({ message: z.string() }).openapi('Accepted');
const accepted = (description: string) => ({
  description,
  content: { 'application/json': { schema: Accepted } },
});

/** The one answer to a reset request, whatever the address: it tells nobody who has an account. */
export const RESET_REQUESTED_MESSAGE =
  'If an account has this address, a link to reset its password is on its way.';

const INVALID_LINK = () =>
  new Problem(
    400,
    'This link does not work any more (used, expired or replaced); ask for a new one.',
    {
      type: 'https://shop.example/problems/invalid-link',
      title: 'Invalid link',
    },
  );

const routes = {
  resendVerification: createRoute({
    method: 'post',
    path: '/api/auth/email-verification',
    tags: ['auth'],
    summary: 'Mail a new verification link to the signed-in account (earlier links stop working)',
    responses: {
      202: accepted('A new link is on its way'),
      401: problem('Not signed in'),
      409: problem('The address is verified already'),
      429: problem('Too many mails asked for'),
    },
  }),
  confirmVerification: createRoute({
    method: 'post',
    path: '/api/auth/email-verification/confirm',
    tags: ['auth'],
    summary: "Confirm an account's address with the token of its mailed link (works once)",
    request: { body: jsonBody(TokenBody) },
    responses: {
      200: {
        description: 'The address is verified',
        content: {
          'application/json': {
            schema: z.object({ userId: z.uuid(), email: z.string(), verified: z.literal(true) }),
          },
        },
      },
      400: problem('Invalid body, or the link is used, expired or replaced'),
      415: problem('Not JSON'),
      429: problem('Too many attempts'),
    },
  }),
  requestReset: createRoute({
    method: 'post',
    path: '/api/auth/password-reset',
    tags: ['auth'],
    summary: 'Ask for a password reset link',
    description:
      'Answers the same 202 whatever the address: known, unknown or malformed. Limited per ' +
      'client IP and per address (keyed alike for unknown ones).',
    request: { body: jsonBody(ResetRequestBody) },
    responses: {
      202: accepted('Mailed if the account exists'),
      400: problem('Invalid body'),
      415: problem('Not JSON'),
      429: problem('Too many requests'),
    },
  }),
  confirmReset: createRoute({
    method: 'post',
    path: '/api/auth/password-reset/confirm',
    tags: ['auth'],
    summary: 'Set a new password with the token of a reset link; ends every session',
    description:
      'The token works once and expires (1 h by default). A password the policy refuses keeps ' +
      'the token usable. Every session (refresh-token family) of the account is revoked.',
    request: { body: jsonBody(ResetConfirmBody) },
    responses: {
      204: { description: 'The password is set; sign in with it' },
      400: problem('Invalid body, password policy, or the link is used, expired or replaced'),
      415: problem('Not JSON'),
      429: problem('Too many attempts'),
    },
  }),
  requestChange: createRoute({
    method: 'post',
    path: '/api/auth/email-change',
    tags: ['auth'],
    summary: 'Change the address: a link goes to the current and to the new address',
    description:
      'Needs the current password (throttled like login). The change happens when both links ' +
      'are followed; a new request cancels the pending one.',
    request: { body: jsonBody(EmailChangeBody) },
    responses: {
      202: {
        description: 'Both links are on their way',
        content: {
          'application/json': {
            schema: z.object({ changeId: z.uuid(), expiresAt: z.string(), message: z.string() }),
          },
        },
      },
      400: problem('Invalid body, or the new address is the current one'),
      401: problem('Not signed in, or the password is wrong'),
      409: problem('Another account has the new address'),
      415: problem('Not JSON'),
      429: problem('Too many attempts'),
    },
  }),
  confirmChange: createRoute({
    method: 'post',
    path: '/api/auth/email-change/confirm',
    tags: ['auth'],
    summary: 'Confirm one address of an email change with its link (works once)',
    description:
      'When both addresses confirmed, the account moves to the new address, which counts as ' +
      'verified, and every session ends (their tokens name the old address).',
    request: { body: jsonBody(TokenBody) },
    responses: {
      200: {
        description: 'Confirmed; `changed` once both addresses did',
        content: {
          'application/json': {
            schema: z.object({
              status: z.enum(['waiting_for_other_address', 'changed']),
              email: z.string(),
            }),
          },
        },
      },
      400: problem('Invalid body, or the link is used, expired or replaced'),
      409: problem('Another account took the new address meanwhile'),
      415: problem('Not JSON'),
      429: problem('Too many attempts'),
    },
  }),
};

const EMAIL_TAKEN = () =>
  new Problem(409, 'Another account has this address.', {
    type: 'https://shop.example/problems/email-taken',
    title: 'Email taken',
  });

const isUniqueViolation = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';

/** Registers the email verification, password reset and email change routes. */
export function registerEmailFlowRoutes(app: OpenAPIHono<ServiceEnv>, deps: AuthDeps): void {
  const { db, limiters, mailLinks } = deps;
  // Digests, so the limiter's store holds no addresses.
  const addressKey = (email: string) => hashRefreshToken(`mail\n${email}`);
  for (const path of [
    '/api/auth/email-verification/confirm',
    '/api/auth/password-reset',
    '/api/auth/password-reset/confirm',
    '/api/auth/email-change',
    '/api/auth/email-change/confirm',
  ]) {
    app.use(path, async (c, next) => {
      if (c.req.method === 'POST') requireJson(c);
      await next();
    });
  }

  app.openapi(routes.resendVerification, async (c) => {
    const identity = requireIdentity(c);
    await enforceLimit(limiters.mailPerIp, requestIp(c));
    await enforceLimit(limiters.mailPerAccount, `verify:${identity.userId}`);
    const now = deps.clock();
    const outcome = await db.transaction(async (tx) => {
      const profile = await findMailProfile(tx, identity.userId, { lock: true });
      if (!profile) return 'gone' as const;
      if (profile.emailVerifiedAt) return 'verified' as const;
      await requestEmailVerification(tx, mailLinks, profile, 'requested', now);
      return 'sent' as const;
    });
    if (outcome === 'gone') throw new Problem(401, 'Sign in first.');
    if (outcome === 'verified') {
      throw new Problem(409, 'This address is verified already.', {
        type: 'https://shop.example/problems/already-verified',
        title: 'Already verified',
      });
    }
    deps.onEventsRecorded();
    return c.json({ message: 'A new verification link is on its way.' }, 202);
  });

  app.openapi(routes.confirmVerification, async (c) => {
    const { token } = c.req.valid('json');
    await enforceLimit(limiters.tokenPerIp, requestIp(c));
    const now = deps.clock();
    const verified = await db.transaction(async (tx) => {
      const claimed = await claimEmailToken(tx, token, ['verify_email'], now);
      if (!claimed) return undefined;
      // A link to an address the account no longer has verifies nothing.
      // Thrown, not returned: the claim rolls back, so a refused request stores nothing.
      if (!(await markEmailVerified(tx, claimed.userId, claimed.email, now))) throw INVALID_LINK();
      return { userId: claimed.userId, email: claimed.email };
    });
    if (!verified) throw INVALID_LINK();
    return c.json({ ...verified, verified: true as const }, 200);
  });

  app.openapi(routes.requestReset, async (c) => {
    const body = c.req.valid('json');
    const email = normalizeEmail(body.email);
    await enforceLimit(limiters.mailPerIp, requestIp(c));
    // Counted for every address, known or not: the 429 says nothing about accounts either.
    await enforceLimit(limiters.mailPerAccount, `reset:${addressKey(email)}`);
    const profile = await findMailProfileByEmail(db, email);
    if (profile) {
      const now = deps.clock();
      await db.transaction((tx) => requestPasswordReset(tx, mailLinks, profile, now));
      deps.onEventsRecorded();
    }
    return c.json({ message: RESET_REQUESTED_MESSAGE }, 202);
  });

  app.openapi(routes.confirmReset, async (c) => {
    const body = c.req.valid('json');
    await enforceLimit(limiters.tokenPerIp, requestIp(c));
    const now = deps.clock();
    // The policy is checked before the token is spent, so a refused password keeps the link.
    const { rows } = await db.query<{ email: string }>(
      `SELECT email FROM auth.email_token
       WHERE token_hash = $1 AND purpose = 'reset_password' AND used_at IS NULL AND expires_at > $2`,
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
    const done = await db.transaction(async (tx) => {
      const claimed = await claimEmailToken(tx, body.token, ['reset_password'], now);
      if (!claimed) return false;
      const profile = await findMailProfile(tx, claimed.userId, { lock: true });
      // A link mailed to an address the account no longer has resets nothing.
      if (!profile || profile.email !== claimed.email) throw INVALID_LINK();
      // The UPDATE locks the credential: a login that verified the old password and has not
      // started its session yet waits, then sees the new hash and refuses (sessions.ts).
      await resetPasswordHash(tx, claimed.userId, passwordHash, now);
      await revokeUserSessions(tx, claimed.userId, 'password_reset', now);
      await voidEmailTokens(tx, claimed.userId, ['reset_password']);
      // Following the link proved the mailbox.
      await markEmailVerified(tx, claimed.userId, claimed.email, now);
      return true;
    });
    if (!done) throw INVALID_LINK();
    c.get('log').info('password reset: every session revoked');
    return c.body(null, 204);
  });

  app.openapi(routes.requestChange, async (c) => {
    const identity = requireIdentity(c);
    const body = c.req.valid('json');
    const ip = requestIp(c);
    await enforceLimit(limiters.mailPerIp, ip);
    await enforceLimit(limiters.mailPerAccount, `change:${identity.userId}`);
    const credential = await findCredentialById(db, identity.userId);
    if (!credential) throw new Problem(401, 'Sign in first.');
    const verdict = await deps.loginThrottle.attempt(credential.email, ip);
    if (!verdict.allowed) {
      throw new Problem(
        429,
        `Too many failed attempts from this address; try again in ${verdict.retryAfterSeconds} seconds.`,
        { type: 'https://shop.example/problems/rate-limited', title: 'Too many requests' },
        { 'Retry-After': String(verdict.retryAfterSeconds) },
      );
    }
    if (!(await deps.hasher.verify(credential.passwordHash, body.password))) {
      throw new Problem(401, 'The password is not correct.', {
        type: 'https://shop.example/problems/invalid-credentials',
        title: 'Invalid credentials',
      });
    }
    await deps.loginThrottle.succeed(credential.email, ip);
    if (body.newEmail === credential.email) {
      throw new Problem(400, 'This is the current address already.');
    }
    // Signup tells whether an address has an account (409) as well: this reveals nothing more.
    if (await findMailProfileByEmail(db, body.newEmail)) throw EMAIL_TAKEN();
    const now = deps.clock();
    const change = {
      id: newId(),
      newEmail: body.newEmail,
      expiresAt: new Date(now.getTime() + mailLinks.changeTtlSeconds * 1000),
    };
    await db.transaction(async (tx) => {
      const profile = await findMailProfile(tx, identity.userId, { lock: true });
      if (!profile) throw new Problem(401, 'Sign in first.');
      await insertEmailChange(tx, {
        id: change.id,
        userId: profile.userId,
        currentEmail: profile.email,
        newEmail: change.newEmail,
        now,
        expiresAt: change.expiresAt,
      });
      await requestEmailChangeConfirmations(tx, mailLinks, profile, change, now);
    });
    deps.onEventsRecorded();
    return c.json(
      {
        changeId: change.id,
        expiresAt: change.expiresAt.toISOString(),
        message: 'Follow the links mailed to both addresses to finish the change.',
      },
      202,
    );
  });

  app.openapi(routes.confirmChange, async (c) => {
    const { token } = c.req.valid('json');
    await enforceLimit(limiters.tokenPerIp, requestIp(c));
    const now = deps.clock();
    let outcome:
      | { kind: 'invalid' }
      | { kind: 'waiting'; email: string }
      | { kind: 'changed'; email: string };
    try {
      outcome = await db.transaction(async (tx) => {
        const claimed = await claimEmailToken(
          tx,
          token,
          ['change_email_current', 'change_email_new'],
          now,
        );
        if (!claimed?.emailChangeId) return { kind: 'invalid' as const };
        const side = claimed.purpose === 'change_email_current' ? 'current' : 'new';
        const change = await confirmEmailChangeSide(tx, claimed.emailChangeId, side, now);
        // Thrown: the claim and the confirmation roll back, so a refused request stores nothing.
        if (!change || change.completedAt || change.cancelledAt || change.expiresAt <= now) {
          throw INVALID_LINK();
        }
        if (!change.currentConfirmedAt || !change.newConfirmedAt) {
          return { kind: 'waiting' as const, email: change.newEmail };
        }
        if (!(await changeEmail(tx, change.userId, change.currentEmail, change.newEmail, now))) {
          throw INVALID_LINK();
        }
        await completeEmailChange(tx, change.id, now);
        await cancelEmailChanges(tx, change.userId, now);
        // Links mailed to the old address stop working with it.
        await voidEmailTokens(tx, change.userId, ['verify_email', 'reset_password']);
        await revokeUserSessions(tx, change.userId, 'email_changed', now);
        await recordUserEvent(tx, 'shop.user.email_changed', {
          userId: change.userId,
          previousEmail: change.currentEmail,
          email: change.newEmail,
          changedAt: now.toISOString(),
        });
        return { kind: 'changed' as const, email: change.newEmail };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw EMAIL_TAKEN();
      throw error;
    }
    if (outcome.kind === 'invalid') throw INVALID_LINK();
    if (outcome.kind === 'waiting') {
      return c.json({ status: 'waiting_for_other_address' as const, email: outcome.email }, 200);
    }
    deps.onEventsRecorded();
    return c.json({ status: 'changed' as const, email: outcome.email }, 200);
  });
}
