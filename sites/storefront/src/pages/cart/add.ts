// POST /cart/add — add a product to the cart, back to the page the form was on
import type { APIRoute } from 'astro';
import {
  cartNotice,
  field,
  intField,
  redirectAfterForm,
  rememberCart,
} from '../../server/form-handlers.js';

export const POST: APIRoute = async ({ locals }) => {
  const { shop } = locals;
  const productId = field(shop.form, 'productId');
  const quantity = intField(shop.form, 'quantity', 1, 99);
  if (!productId || quantity === undefined) return redirectAfterForm(shop, '/cart', 'formInvalid');
  const answer = await shop.runtime.gateway.addToCart(shop.caller(), productId, quantity);
  await rememberCart(shop, answer);
  return redirectAfterForm(shop, '/cart', cartNotice(answer, 'added'));
};
