// Schemas the auth routes share.
import { z } from '@hono/zod-openapi';
import { text } from '@shop/shared';

// The problem+json schema and response are the shared kit's: one `Problem` component for all.
export { problemJson as problem, problemJsonSchema as ProblemSchema } from '@shop/shared';

/** A JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({
  required,
  content: { 'application/json': { schema } },
});

/** An opaque refresh token as issued (43 base64url characters); anything else never matches. */
export const RefreshTokenSchema = text({ max: 200, trim: false }).openapi({
  description: 'The opaque refresh token from login or the last refresh.',
});

export const TokenResponseSchema = z
  .object({
    accessToken: z.string().openapi({ description: 'ES256 JWT for `Authorization: Bearer`.' }),
    tokenType: z.literal('Bearer'),
    expiresIn: z.int().openapi({ description: 'Seconds the access token is valid.', example: 900 }),
    refreshToken: z
      .string()
      .openapi({ description: 'Single use: each refresh returns a new one.' }),
  })
  .openapi('TokenResponse');

/** RFC 6749 §5.1: token responses must not be cached. */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
