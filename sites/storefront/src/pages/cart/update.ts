// POST /cart/update — set a line's quantity (0 removes it), or remove it (`remove` button); JSON
// for the cart page's fetch
import type { APIRoute } from 'astro';
import { answerCartForm } from '../../server/cart-answer.js';
import { field, intField, rememberCart } from '../../server/form-handlers.js';

export const POST: APIRoute = async ({ locals, request }) => {
  const { shop } = locals;
  const productId = field(shop.form, 'productId');
  const remove = field(shop.form, 'action') === 'remove';
  const quantity = remove ? 0 : intField(shop.form, 'quantity', 0, 99);
  if (!productId || quantity === undefined) {
    return answerCartForm(shop, request, undefined, 'cartUpdated', '/cart');
  }
  const { gateway } = shop.runtime;
  const answer =
    quantity === 0
      ? await gateway.removeFromCart(shop.caller(), productId)
      : await gateway.setQuantity(shop.caller(), productId, quantity);
  await rememberCart(shop, answer);
  return answerCartForm(shop, request, answer, 'cartUpdated', '/cart');
};
