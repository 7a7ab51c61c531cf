// How long auth keeps sessions that can no longer be used (the kit prunes older rows at start
// and hourly); their refresh tokens go with them (ON DELETE CASCADE).
import type { RetentionRule } from '@shop/shared';

/** Sessions past their absolute expiry; mailed links' tokens past theirs. */
export const retention: readonly RetentionRule[] = [
  {
    table: 'auth.session',
    column: 'expires_at',
    keepDays: 30,
    why: 'past expires_at no refresh token of the session is accepted and its access tokens (15 minutes) expired long ago; a month more keeps reuse detection and the revocation feed whole for anything still in flight, and the row for support',
  },
  {
    table: 'auth.email_token',
    column: 'expires_at',
    keepDays: 1,
    why: 'an expired link token is refused like an unknown one, so it is needed by nothing; a day more keeps it for support looking into a mail that just went stale',
  },
  {
    table: 'auth.email_change',
    column: 'expires_at',
    keepDays: 30,
    why: 'a change past expires_at can no longer complete (its links expire with it); a month keeps the record of what was asked for support',
  },
];
