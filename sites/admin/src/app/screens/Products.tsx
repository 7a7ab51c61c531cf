// Products: server-side search and keyset pages over offer's /api/admin/offers (never all rows
// in the browser), every status or one.
import { A, useSearchParams } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { problemText, withQuery } from '../api.js';
import { CursorPager, createCursorTrail } from '../components/CursorPager.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';
import type { Product } from '../product.js';

interface Page {
  items: Product[];
  nextCursor: string | null;
}

export default function Products() {
  const app = useApp();
  const [params, setParams] = useSearchParams<{
    q?: string;
    status?: string;
    category?: string;
    cursor?: string;
  }>();
  const [page] = createResource(
    () => ({
      q: params.q ?? '',
      status: params.status ?? '',
      category: params.category ?? '',
      cursor: params.cursor ?? '',
    }),
    async (query) => {
      const answer = await app.api.get<Page>(
        withQuery('/api/admin/offers', {
          ...query,
          limit: 25,
          sort: query.q ? 'relevance' : 'name',
        }),
      );
      if (!answer.ok) throw new Error(problemText(answer));
      return answer.body;
    },
  );
  const trail = createCursorTrail();
  const onSearch = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setParams({
      q: String(form.get('q') ?? ''),
      status: String(form.get('status') ?? ''),
      category: String(form.get('category') ?? '').trim(),
      cursor: undefined,
    });
  };
  return (
    <section aria-labelledby="products-title">
      <h1 id="products-title">{app.t('products')}</h1>
      <p class="actions">
        <Show when={app.may('createProduct')}>
          <A href="/products/new">{app.t('newProduct')}</A>
        </Show>
        <A href="/products/import">{app.t('importExport')}</A>
      </p>
      <search>
        <form class="toolbar" onSubmit={onSearch}>
          <label for="product-q">{app.t('searchProducts')}</label>
          <input id="product-q" name="q" type="search" maxlength="200" value={params.q ?? ''} />
          <label for="product-status">{app.t('status')}</label>
          <select id="product-status" name="status" value={params.status ?? ''}>
            <option value="">{app.t('all')}</option>
            <option value="active">{app.t('active')}</option>
            <option value="archived">{app.t('archived')}</option>
          </select>
          <label for="product-category">{app.t('category')}</label>
          <input
            id="product-category"
            name="category"
            maxlength="100"
            placeholder="kitchen"
            value={params.category ?? ''}
          />
          <button type="submit">{app.t('search')}</button>
        </form>
      </search>
      <Loaded resource={page}>
        {(current) => (
          <Show when={current().items.length > 0} fallback={<p>{app.t('noProducts')}</p>}>
            <table class="data">
              <caption class="visually-hidden">{app.t('products')}</caption>
              <thead>
                <tr>
                  <th scope="col">{app.t('name')}</th>
                  <th scope="col">{app.t('category')}</th>
                  <th scope="col" class="num">
                    {app.t('price')}
                  </th>
                  <th scope="col" class="num">
                    {app.t('stock')}
                  </th>
                  <th scope="col">{app.t('status')}</th>
                </tr>
              </thead>
              <tbody>
                <For each={current().items}>
                  {(product) => (
                    <tr>
                      <th scope="row">
                        <A href={`/products/${product.id}`}>{product.name}</A>
                      </th>
                      <td>{product.category}</td>
                      <td class="num">{app.money(product.priceAmount, product.currency)}</td>
                      <td class="num">{app.number(product.stock)}</td>
                      <td>{app.t(product.status)}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        )}
      </Loaded>
      <CursorPager trail={trail} nextCursor={page()?.nextCursor} />
    </section>
  );
}
