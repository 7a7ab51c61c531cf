// Customers: search by email prefix or part of the name on the server (user's
// /api/admin/users), newest first, in keyset pages.
import { A, useSearchParams } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { problemText, withQuery } from '../api.js';
import { CursorPager, createCursorTrail } from '../components/CursorPager.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';
import type { CustomerSummary } from '../customer.js';

export default function Customers() {
  const app = useApp();
  const [params, setParams] = useSearchParams<{ q?: string; cursor?: string }>();
  const trail = createCursorTrail();
  const [page] = createResource(
    () => ({ q: params.q ?? '', cursor: params.cursor ?? '' }),
    async (query) => {
      const answer = await app.api.get<{ items: CustomerSummary[]; nextCursor: string | null }>(
        withQuery('/api/admin/users', { ...query, limit: 25 }),
      );
      if (!answer.ok) throw new Error(problemText(answer));
      return answer.body;
    },
  );
  const onSearch = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setParams({ q: String(form.get('q') ?? '').trim() || undefined, cursor: undefined });
  };
  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">{app.t('customers')}</h1>
      <search>
        <form class="toolbar" onSubmit={onSearch}>
          <label for="customer-q">{app.t('searchCustomers')}</label>
          <input id="customer-q" name="q" type="search" maxlength="200" value={params.q ?? ''} />
          <button type="submit">{app.t('search')}</button>
        </form>
      </search>
      <Loaded resource={page}>
        {(current) => (
          <Show when={current().items.length > 0} fallback={<p>{app.t('noCustomers')}</p>}>
            <table class="data">
              <caption class="visually-hidden">{app.t('customers')}</caption>
              <thead>
                <tr>
                  <th scope="col">{app.t('email')}</th>
                  <th scope="col">{app.t('name')}</th>
                  <th scope="col">{app.t('registered')}</th>
                  <th scope="col">{app.t('marketingConsent')}</th>
                </tr>
              </thead>
              <tbody>
                <For each={current().items}>
                  {(customer) => (
                    <tr>
                      <th scope="row">
                        <A href={`/customers/${customer.id}`}>{customer.email}</A>
                      </th>
                      <td>{customer.displayName ?? '—'}</td>
                      <td>{app.dateTime(customer.registeredAt)}</td>
                      <td>{customer.marketingConsent ? app.t('yes') : app.t('no')}</td>
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
