// Form posts end in a redirect (Post/Redirect/Get): the outcome is a notice kept in the session
// and shown once by the page the browser is sent back to.
import { localReturnPath } from '@shop/shared/site-security';
import type { Answer, Cart, Problem } from './gateway-client.js';
import type { MessageKey } from './i18n.js';
import type { ShopContext } from './shop-context.js';

/**
 * A 303 to the form's `return` path (a path of this site only) or `fallback`, with `notice`
 * shown there once.
 */
export async function redirectAfterForm(
  shop: ShopContext,
  fallback: string,
  notice?: MessageKey,
): Promise<Response> {
  if (notice) await shop.runtime.sessions.change(shop.session.id, { flash: notice });
  const location = localReturnPath(shop.form?.get('return'), shop.href(fallback));
  return new Response(null, { status: 303, headers: { location } });
}

/** A form field as trimmed text ('' when missing). */
export function field(form: FormData | undefined, name: string): string {
  const value = form?.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

/** A whole number field within [min, max], else undefined. */
export function intField(form: FormData | undefined, name: string, min: number, max: number) {
  const text = field(form, name);
  if (!/^\d{1,6}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/**
 * Keeps what a cart answer tells the session: the anonymous cart's id (cart makes one on the
 * first write) and the item count for the header.
 */
export async function rememberCart(shop: ShopContext, answer: Answer<Cart & Problem>) {
  if (!answer.ok) return;
  const cartId = answer.headers.get('x-cart-id') ?? answer.body.cartId ?? undefined;
  await shop.runtime.sessions.change(shop.session.id, {
    cartCount: String(answer.body.itemCount ?? 0),
    ...(!shop.auth && cartId && cartId !== shop.session.cartId && { cartId }),
  });
}

/** The notice for a cart write's answer. */
export function cartNotice(answer: Answer<unknown>, success: MessageKey): MessageKey {
  if (answer.ok) return success;
  if (answer.status === 404) return 'notForSale';
  if (answer.status === 429) return 'tooManyAttempts';
  return 'cartProblems';
}
