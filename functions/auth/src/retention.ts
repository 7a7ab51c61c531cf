// How long auth keeps sessions that can no longer be used (the kit prunes older rows at start
// and hourly); their refresh tokens go with them (ON DELETE CASCADE).
import type { RetentionRule } from '@shop/shared';

/** Sessions past their absolute expiry. */
export const retention: readonly RetentionRule[] = [
  {
    table: 'auth.session',
    column: 'expires_at',
    keepDays: 30,
    why: 'past expires_at no refresh token of the session is accepted and its access tokens (15 minutes) expired long ago; a month more keeps reuse detection and the revocation feed whole for anything still in flight, and the row for support',
  },
];
