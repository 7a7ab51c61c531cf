// The header's cart count, an island (client:idle). The server renders it inside the plain link
// to the cart, so it is right without JavaScript; once hydrated it makes the cart forms post
// with fetch (src/client/cart-forms.ts) and follows their answers at once. Never required.
import { createSignal, onCleanup, onMount } from 'solid-js';
import { enhanceCartForms } from '../client/cart-forms.js';

export default function CartCount(props: { count: number }) {
  const [count, setCount] = createSignal(props.count);
  onMount(() => onCleanup(enhanceCartForms(document, { onCount: setCount })));
  return (
    <span class="count" data-cart-count>
      {count()}
    </span>
  );
}
