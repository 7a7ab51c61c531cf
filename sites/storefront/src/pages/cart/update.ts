// POST /cart/update — set a line's quantity (0 removes it), or remove it (`remove` button)
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
  const remove = field(shop.form, 'action') === 'remove';
  const quantity = remove ? 0 : intField(shop.form, 'quantity', 0, 99);
  if (!productId || quantity === undefined) return redirectAfterForm(shop, '/cart', 'formInvalid');
  const { gateway } = shop.runtime;
  const answer =
    quantity === 0
      ? await gateway.removeFromCart(shop.caller(), productId)
      : await gateway.setQuantity(shop.caller(), productId, quantity);
  await rememberCart(shop, answer);
  return redirectAfterForm(shop, '/cart', cartNotice(answer, 'cartUpdated'));
};
