// One customer: profile, saved addresses, the consent history, their latest orders — and, on
// their own request, the erasure of their personal data (user's DELETE /api/admin/users/:id),
// asked for twice: a checkbox that says the customer asked, then the button.
import { A, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { problemText, withQuery } from '../api.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';
import type { Customer } from '../customer.js';
import { type StaffOrder, shortId } from '../order.js';

export default function CustomerDetail() {
  const app = useApp();
  const params = useParams<{ id: string }>();
  const [erased, setErased] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [customer] = createResource(
    () => params.id,
    async (id) => {
      const answer = await app.api.get<Customer>(`/api/admin/users/${id}`);
      if (!answer.ok) throw new Error(problemText(answer));
      return answer.body;
    },
  );
  const [orders] = createResource(
    () => (app.permissions.includes('orders:read') ? params.id : undefined),
    async (id) => {
      const answer = await app.api.get<{ items: StaffOrder[] }>(
        withQuery('/api/admin/orders', { userId: id, limit: 10 }),
      );
      if (!answer.ok) throw new Error(problemText(answer));
      return answer.body.items;
    },
  );
  const erase = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(undefined);
    const answer = await app.api.send('DELETE', `/api/admin/users/${params.id}`);
    if (answer.ok) setErased(true);
    else setError(app.t('failed', { detail: problemText(answer) }));
  };
  return (
    <section aria-labelledby="customer-title">
      <p>
        <A href="/customers">{app.t('back')}</A>
      </p>
      <Show
        when={!erased()}
        fallback={
          <>
            <h1 id="customer-title">{app.t('customers')}</h1>
            <p class="notice ok" role="status">
              {app.t('erasedNow')}
            </p>
          </>
        }
      >
        <Loaded resource={customer}>
          {(current) => (
            <>
              <h1 id="customer-title">{current().displayName ?? current().email}</h1>
              <dl class="facts">
                <dt>{app.t('email')}</dt>
                <dd>{current().email}</dd>
                <dt>{app.t('registered')}</dt>
                <dd>{app.dateTime(current().registeredAt)}</dd>
                <dt>{app.t('preferredLanguage')}</dt>
                <dd>{current().locale ?? '—'}</dd>
                <dt>{app.t('marketingConsent')}</dt>
                <dd>{current().marketingConsent ? app.t('yes') : app.t('no')}</dd>
                <dt>{app.t('customer')}</dt>
                <dd>
                  <code>{current().id}</code>
                </dd>
              </dl>

              <h2>{app.t('addresses')}</h2>
              <Show when={current().addresses.length > 0} fallback={<p>{app.t('noAddresses')}</p>}>
                <ul class="cards">
                  <For each={current().addresses}>
                    {(address) => (
                      <li>
                        <address>
                          <Show when={address.label}>
                            <strong>{address.label}</strong>
                            <br />
                          </Show>
                          {address.name}
                          <br />
                          {address.line1}
                          <Show when={address.line2}>
                            <br />
                            {address.line2}
                          </Show>
                          <br />
                          {address.postalCode} {address.city}
                          {address.region ? `, ${address.region}` : ''}, {address.country}
                        </address>
                        <Show when={address.isDefaultShipping}>
                          <p class="muted">{app.t('defaultShipping')}</p>
                        </Show>
                        <Show when={address.isDefaultBilling}>
                          <p class="muted">{app.t('defaultBilling')}</p>
                        </Show>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>

              <Show
                when={current().consentHistory.length > 0}
                fallback={
                  <>
                    <h2>{app.t('consentHistory')}</h2>
                    <p>{app.t('noConsentRecords')}</p>
                  </>
                }
              >
                <table class="data">
                  <caption>{app.t('consentHistory')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{app.t('when')}</th>
                      <th scope="col">{app.t('marketingConsent')}</th>
                      <th scope="col">{app.t('from')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={current().consentHistory}>
                      {(record) => (
                        <tr>
                          <td>{app.dateTime(record.recordedAt)}</td>
                          <td>
                            {record.granted ? app.t('consentGranted') : app.t('consentWithdrawn')}
                          </td>
                          <td>{app.t(`origin_${record.origin}`)}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </Show>

              <Show when={app.permissions.includes('orders:read')}>
                <h2>{app.t('latestOrders')}</h2>
                <Loaded resource={orders}>
                  {(items) => (
                    <Show when={items().length > 0} fallback={<p>{app.t('noOrders')}</p>}>
                      <ul>
                        <For each={items()}>
                          {(order) => (
                            <li>
                              <A href={`/orders/${order.id}`}>
                                <code>{shortId(order.id)}</code>
                              </A>{' '}
                              · {app.dateTime(order.createdAt)} ·{' '}
                              {app.money(order.total.amount, order.total.currency)} ·{' '}
                              {app.t(`status_${order.status}`)}
                            </li>
                          )}
                        </For>
                      </ul>
                      <p>
                        <A href={withQuery('/orders', { userId: current().id })}>
                          {app.t('allOrdersOf')}
                        </A>
                      </p>
                    </Show>
                  )}
                </Loaded>
              </Show>

              <Show when={app.may('eraseCustomer')}>
                <section class="action" aria-labelledby="erase-title">
                  <h2 id="erase-title">{app.t('eraseTitle')}</h2>
                  <p>{app.t('eraseIntro')}</p>
                  <form class="stack" onSubmit={erase}>
                    <label>
                      <input type="checkbox" name="confirm" required /> {app.t('eraseConfirm')}
                    </label>
                    <Show when={error()}>
                      <p class="notice warning" role="alert">
                        {error()}
                      </p>
                    </Show>
                    <div class="actions">
                      <button type="submit">{app.t('erase')}</button>
                    </div>
                  </form>
                </section>
              </Show>
            </>
          )}
        </Loaded>
      </Show>
    </section>
  );
}
