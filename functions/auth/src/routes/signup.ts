// POST /api/auth/signup — create an account (shopper) and record shop.user.registered
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { newId, Problem, type ServiceEnv, text } from '@shop/shared';
import type { AuthDeps } from '../deps.js';
import { checkPassword, PASSWORD_MAX_LENGTH } from '../domain/check-password.js';
import { normalizeEmail } from '../domain/normalize-email.js';
import { recordUserEvent } from '../events.js';
import { requestEmailVerification } from '../mail-requests.js';
import { insertCredential } from '../store.js';
import { enforceLimit, requestIp, requireJson } from './request-guards.js';
import { jsonBody, problem } from './schemas.js';

export const EmailSchema = text({ max: 320 })
  .transform(normalizeEmail)
  .pipe(z.email('must be an email address'))
  .openapi({ type: 'string', format: 'email', example: 'ana@example.com' });

const SignupBody = z
  .strictObject({
    email: EmailSchema,
    password: text({ max: PASSWORD_MAX_LENGTH * 4, trim: false }).openapi({
      description: '12 to 128 characters; not a common password.',
    }),
    name: text({ max: 200 }),
    locale: text({ min: 2, max: 35, trim: false })
      .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, 'must be a BCP 47 language tag')
      .optional(),
    marketingConsent: z.boolean().default(false),
  })
  .openapi('Signup');

const AccountSchema = z
  .object({
    userId: z.uuid(),
    email: z.string(),
    name: z.string(),
    roles: z.array(z.string()),
    emailVerified: z.boolean().openapi({
      description:
        'False until the link mailed at signup is followed; unverified accounts can shop but never become staff.',
    }),
  })
  .openapi('Account');

const signupRoute = createRoute({
  method: 'post',
  path: '/api/auth/signup',
  tags: ['auth'],
  summary: 'Create an account',
  description:
    'A taken email answers 409: signup is rate limited per IP, and telling a person that they ' +
    'already have an account is more useful than a silent 202. Login never tells.',
  request: { body: jsonBody(SignupBody) },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: AccountSchema } } },
    400: problem('Invalid body or password policy'),
    409: problem('An account with this email exists'),
    413: problem('Body too large'),
    415: problem('Not JSON'),
    429: problem('Too many signups from this address'),
  },
});

/** Registers POST /api/auth/signup. */
export function registerSignupRoutes(app: OpenAPIHono<ServiceEnv>, deps: AuthDeps): void {
  app.use('/api/auth/signup', async (c, next) => {
    if (c.req.method === 'POST') requireJson(c);
    await next();
  });
  app.openapi(signupRoute, async (c) => {
    const body = c.req.valid('json');
    await enforceLimit(deps.limiters.signupPerIp, requestIp(c));
    const weakness = checkPassword(body.password, body.email, deps.commonPasswords);
    if (weakness) {
      throw new Problem(400, `The password ${weakness}.`, {
        type: 'https://shop.example/problems/validation',
        title: 'Invalid request',
        errors: [{ name: 'json.password', reason: weakness }],
      });
    }
    const passwordHash = await deps.hasher.hash(body.password);
    const userId = newId();
    const now = deps.clock();
    const created = await deps.db.transaction(async (tx) => {
      const inserted = await insertCredential(
        tx,
        {
          userId,
          email: body.email,
          passwordHash,
          displayName: body.name,
          roles: ['shopper'],
          locale: body.locale ?? null,
        },
        now,
      );
      if (!inserted) return false;
      // The welcome mail carries the first verification link.
      await requestEmailVerification(
        tx,
        deps.mailLinks,
        {
          userId,
          email: body.email,
          displayName: body.name,
          locale: body.locale ?? null,
          emailVerifiedAt: null,
        },
        'signup',
        now,
      );
      await recordUserEvent(tx, 'shop.user.registered', {
        userId,
        email: body.email,
        displayName: body.name,
        locale: body.locale ?? null,
        marketingConsent: body.marketingConsent,
        registeredAt: now.toISOString(),
      });
      return true;
    });
    if (!created) {
      throw new Problem(409, 'An account with this email already exists; sign in instead.', {
        type: 'https://shop.example/problems/email-taken',
        title: 'Email taken',
      });
    }
    deps.onEventsRecorded();
    return c.json(
      { userId, email: body.email, name: body.name, roles: ['shopper'], emailVerified: false },
      201,
    );
  });
}
