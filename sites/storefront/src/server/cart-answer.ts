// The cart forms answer twice: a plain form gets its 303 (Post/Redirect/Get), the islands'
// fetch (`Accept: application/json`) gets what the page needs to update itself in place. The
// JSON carries text in the shopper's language and money already formatted, so the browser needs
// no message catalog and no money code.
import { cartNotice, redirectAfterForm } from './form-handlers.js';
import type { Answer, Cart, Problem } from './gateway-client.js';
import type { MessageKey } from './i18n.js';
import type { ShopContext } from './shop-context.js';

/** A cart line as the cart page shows it after a change. */
export interface CartLineJson {
  productId: string;
  quantity: number;
  /** The quantity field's upper bound (never below what the line holds). */
  maxQuantity: number;
  lineTotal: string | null;
}

/** What a cart form answers a fetch. */
export interface CartAnswerJson {
  ok: boolean;
  /** The notice a plain form would have shown after its redirect. */
  message: string;
  /** The header's count; missing when the write failed (the count shown stays). */
  itemCount?: number;
  cart?: {
    total: string;
    /** A line is not for sale or short of stock: the page shows notices and no checkout. */
    blocked: boolean;
    lines: CartLineJson[];
  };
}

/**
 * Whether the request asked for JSON (an island's fetch) rather than a page.
 * @example wantsJson(new Headers({ accept: 'application/json' })) // true
 */
export function wantsJson(headers: Headers): boolean {
  return (headers.get('accept') ?? '').split(',').some((type) => {
    return type.split(';')[0]?.trim().toLowerCase() === 'application/json';
  });
}

/**
 * The JSON body and status of a cart write's outcome: `answer` is the gateway's, undefined when
 * the form itself was invalid.
 * @example cartAnswerJson(answer, 'added', shop) // { status: 200, body: { ok: true, … } }
 */
export function cartAnswerJson(
  answer: Answer<Cart & Problem> | undefined,
  success: MessageKey,
  text: Pick<ShopContext, 't' | 'money'>,
): { status: number; body: CartAnswerJson } {
  if (!answer) return { status: 400, body: { ok: false, message: text.t('formInvalid') } };
  const message = text.t(cartNotice(answer, success));
  if (!answer.ok) return { status: answer.status, body: { ok: false, message } };
  const items = answer.body.items ?? [];
  return {
    status: 200,
    body: {
      ok: true,
      message,
      itemCount: answer.body.itemCount ?? 0,
      cart: {
        total: text.money(answer.body.total),
        blocked: items.some((line) => !line.purchasable || !line.inStock),
        lines: items.map((line) => ({
          productId: line.productId,
          quantity: line.quantity,
          maxQuantity: Math.max(line.maxQuantity, line.quantity),
          lineTotal: line.lineTotal ? text.money(line.lineTotal) : null,
        })),
      },
    },
  };
}

/**
 * A cart form's response: JSON when the request asked for it, else the 303 back to the form's
 * page (or `fallback`) with the notice kept for it.
 */
export async function answerCartForm(
  shop: ShopContext,
  request: Request,
  answer: Answer<Cart & Problem> | undefined,
  success: MessageKey,
  fallback: string,
): Promise<Response> {
  if (wantsJson(request.headers)) {
    const { status, body } = cartAnswerJson(answer, success, shop);
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
  return redirectAfterForm(shop, fallback, answer ? cartNotice(answer, success) : 'formInvalid');
}
