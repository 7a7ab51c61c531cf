// Signing in and out on the server: the tokens go into a new session (the old id is dropped, so
// a planted or leaked id is worth nothing). Only staff may sign in here: anyone else's session
// at auth is ended again at once.
import type { AdminContext } from './admin-context.js';
import type { TokenPair } from './gateway.js';
import { staffAccessOf } from './staff-access.js';

export type SignInOutcome = 'signed-in' | 'refused' | 'throttled' | 'not-staff';

/**
 * Logs in through the gateway and moves this visitor's session to the staff member.
 * @example if ((await signIn(admin, email, password)) === 'signed-in') return redirect;
 */
export async function signIn(
  admin: AdminContext,
  email: string,
  password: string,
): Promise<SignInOutcome> {
  const { gateway, sessions } = admin.runtime;
  const answer = await gateway.logIn(email, password);
  if (answer.status === 429) return 'throttled';
  const pair = answer.body;
  if (!answer.ok || !pair?.accessToken || !pair.refreshToken || !pair.expiresIn) return 'refused';
  if (!staffAccessOf(pair.accessToken)?.staff) {
    await gateway.logOut(pair.refreshToken);
    return 'not-staff';
  }
  const auth = sessions.authFrom(pair as TokenPair);
  admin.useSession(await sessions.rotate(admin.session, { auth }));
  return 'signed-in';
}

/** Ends the session at auth (its refresh token family) and starts a signed-out one. */
export async function signOut(admin: AdminContext): Promise<void> {
  const { gateway, sessions } = admin.runtime;
  if (admin.auth) await gateway.logOut(admin.auth.refreshToken);
  admin.useSession(await sessions.rotate(admin.session, { auth: null, flash: 'signedOut' }));
}
