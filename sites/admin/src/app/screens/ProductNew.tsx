// A new product: offer makes the slug from the name unless one is given, answers 201 with the
// product and its ETag, and the browser goes on to its edit screen.
import { A, useNavigate } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { problemText } from '../api.js';
import { useApp } from '../context.js';
import { parseMoney } from '../money.js';
import type { Product } from '../product.js';

export default function ProductNew() {
  const app = useApp();
  const navigate = useNavigate();
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);

  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const priceAmount = parseMoney(text('price'), app.currency);
    if (priceAmount === null) return setError(app.t('badPrice'));
    if (!/^\d{1,10}$/.test(text('stock'))) return setError(app.t('badStock'));
    setBusy(true);
    setError(undefined);
    try {
      const answer = await app.api.send<Product>('POST', '/api/admin/offers', {
        name: text('name'),
        ...(text('slug') && { slug: text('slug') }),
        category: text('category'),
        description: String(form.get('description') ?? ''),
        priceAmount,
        currency: app.currency,
        stock: Number(text('stock')),
      });
      if (!answer.ok) return setError(problemText(answer));
      navigate(`/products/${answer.body.id}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="new-title">
      <p>
        <A href="/products">{app.t('back')}</A>
      </p>
      <h1 id="new-title">{app.t('newProduct')}</h1>
      <Show when={error()}>
        <p class="notice warning" role="alert">
          {error()}
        </p>
      </Show>
      <form class="stack" onSubmit={(event) => void onSubmit(event)} aria-labelledby="new-title">
        <fieldset disabled={!app.may('createProduct') || busy()}>
          <legend class="visually-hidden">{app.t('newProduct')}</legend>
          <label for="n-name">{app.t('name')}</label>
          <input id="n-name" name="name" required maxlength="200" />
          <label for="n-slug">{app.t('slug')}</label>
          <input id="n-slug" name="slug" maxlength="100" />
          <label for="n-category">{app.t('category')}</label>
          <input id="n-category" name="category" required maxlength="100" />
          <label for="n-price">{app.t('price')}</label>
          <input
            id="n-price"
            name="price"
            inputmode="decimal"
            required
            aria-describedby="n-price-hint"
          />
          <span id="n-price-hint" class="muted">
            {app.t('priceHint', { currency: app.currency })}
          </span>
          <label for="n-stock">{app.t('stock')}</label>
          <input id="n-stock" name="stock" inputmode="numeric" required value="0" />
          <label for="n-description">{app.t('description')}</label>
          <textarea id="n-description" name="description" rows="5" maxlength="5000" />
          <div class="actions">
            <button type="submit">{app.t('create')}</button>
          </div>
        </fieldset>
      </form>
    </section>
  );
}
