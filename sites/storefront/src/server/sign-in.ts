// Signing in and out on the server: the tokens go into a new session (the old id is dropped,
// so a planted or leaked id is worth nothing), and the anonymous cart is merged into the
// shopper's.
import type { ShopContext } from './shop-context.js';

export type SignInOutcome = 'signed-in' | 'refused' | 'throttled';

/**
 * Logs in through the gateway and moves this visitor's session (and cart) to the shopper.
 * @example if ((await signIn(shop, email, password)) === 'signed-in') return redirect;
 */
export async function signIn(
  shop: ShopContext,
  email: string,
  password: string,
): Promise<SignInOutcome> {
  const { gateway, sessions } = shop.runtime;
  const answer = await gateway.logIn(email, password);
  if (answer.status === 429) return 'throttled';
  if (!answer.ok) return 'refused';
  const auth = sessions.authFrom(answer.body);
  const anonymousCart = shop.session.cartId;
  const fresh = await sessions.rotate(shop.session, { auth, cartId: null });
  shop.useSession(fresh);
  // The anonymous cart survives sign-in: its lines move into the shopper's cart.
  const cart = anonymousCart
    ? await gateway.mergeCart({ accessToken: auth.accessToken, cartId: anonymousCart })
    : await gateway.getCart({ accessToken: auth.accessToken });
  if (cart.ok) {
    await sessions.change(fresh.id, { cartCount: String(cart.body.itemCount ?? 0) });
  } else if (anonymousCart) {
    // Kept for another try at the next sign-in rather than lost.
    await sessions.change(fresh.id, { cartId: anonymousCart });
  }
  return 'signed-in';
}

/** Ends the session at auth (its refresh token family) and starts an anonymous one. */
export async function signOut(shop: ShopContext): Promise<void> {
  const { gateway, sessions } = shop.runtime;
  if (shop.auth) await gateway.logOut(shop.auth.refreshToken);
  const fresh = await sessions.rotate(shop.session, {
    auth: null,
    cartCount: '0',
    flash: 'signedOut',
  });
  shop.useSession(fresh);
}
