// Who may call, and whether their copy of the profile is current: checks every route shares.
import { formatEtag, Problem, parseIfMatch, type Role, requireIdentity } from '@shop/shared';
import type { Context } from 'hono';
import { UUID_PATTERN } from '../domain/profile.js';

/**
 * The caller's user id from the gateway's identity headers: 401 without identity, 403 without
 * `role`. An id that is not a uuid cannot name a record here, so it is refused like no identity.
 * @example const userId = requireUserId(c);
 */
export function requireUserId(c: Context, role?: Role): string {
  const identity = requireIdentity(c, role);
  if (!UUID_PATTERN.test(identity.userId)) {
    throw new Problem(
      401,
      'The identity does not name a user.',
      {},
      { 'www-authenticate': 'Bearer' },
    );
  }
  return identity.userId.toLowerCase();
}

/**
 * Refuses an edit whose `If-Match` names another version than the profile's (412, with the
 * current ETag). If-Match is optional here: without it (or with `*`) the edit goes ahead.
 * @example checkIfMatch(c.req.valid('header')['if-match'], current.version);
 */
export function checkIfMatch(header: string | undefined, version: number): void {
  const ifMatch = parseIfMatch(header);
  if (ifMatch.kind !== 'versions' || ifMatch.versions.includes(version)) return;
  throw new Problem(
    412,
    `Your profile changed since you read it: it is at version ${version}.`,
    { type: 'https://shop.example/problems/stale-version', currentVersion: version },
    { ETag: formatEtag(version) },
  );
}

/** The 404 of a caller whose profile is not (or no longer) there. */
export function profileMissing(erased: boolean): Problem {
  return erased
    ? new Problem(404, 'This account was erased; its profile no longer exists.', {
        type: 'https://shop.example/problems/profile-erased',
      })
    : new Problem(
        404,
        'No profile yet: it is created from the sign-up event, usually within seconds. Try again shortly.',
        { type: 'https://shop.example/problems/profile-not-created' },
      );
}
