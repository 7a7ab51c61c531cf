// POST /cart/add — add a product to the cart, back to the page the form was on (JSON for the
// header island's fetch)
import type { APIRoute } from 'astro';
import { trackCall } from '../../server/analytics.js';
import { answerCartForm } from '../../server/cart-answer.js';
import { field, intField, rememberCart } from '../../server/form-handlers.js';

export const POST: APIRoute = async ({ locals, request }) => {
  const { shop } = locals;
  const productId = field(shop.form, 'productId');
  const quantity = intField(shop.form, 'quantity', 1, 99);
  if (!productId || quantity === undefined) {
    return answerCartForm(shop, request, undefined, 'added', '/cart');
  }
  const answer = await shop.runtime.gateway.addToCart(shop.caller(), productId, quantity);
  await rememberCart(shop, answer);
  // Recorded here, where the add is known to have worked, for visitors with and without JavaScript.
  if (answer.ok) {
    shop.runtime.analytics.record(
      trackCall(shop.visitor(), 'Product Added', { product_id: productId, quantity }),
    );
  }
  return answerCartForm(shop, request, answer, 'added', '/cart');
};
