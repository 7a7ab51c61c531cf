// Orders: every customer's orders, newest first, filtered on the server by status, customer and
// the day they were placed, in keyset pages. The payment review queue is the payment_review
// filter, one click away.
import { A, useSearchParams } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { problemText, withQuery } from '../api.js';
import { CursorPager, createCursorTrail } from '../components/CursorPager.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';
import { instantOfDate } from '../dates.js';
import { ORDER_STATUSES, type StaffOrder, shortId } from '../order.js';

const FILTERS = ['status', 'userId', 'from', 'to'] as const;
type Filter = (typeof FILTERS)[number];

export default function Orders() {
  const app = useApp();
  const [params, setParams] = useSearchParams<Partial<Record<Filter | 'cursor', string>>>();
  const trail = createCursorTrail();
  const [page] = createResource(
    () =>
      ({
        ...Object.fromEntries(FILTERS.map((f) => [f, params[f] ?? ''])),
        cursor: params.cursor ?? '',
      }) as Record<Filter | 'cursor', string>,
    async (query) => {
      const answer = await app.api.get<{ items: StaffOrder[]; nextCursor: string | null }>(
        withQuery('/api/admin/orders', {
          status: query.status,
          userId: query.userId,
          createdFrom: instantOfDate(query.from, false),
          createdBefore: instantOfDate(query.to, true),
          cursor: query.cursor,
          limit: 25,
        }),
      );
      if (!answer.ok) throw new Error(problemText(answer));
      return answer.body;
    },
  );
  const filter = (values: Partial<Record<Filter, string>>) => {
    setParams({
      ...Object.fromEntries(FILTERS.map((f) => [f, values[f] || undefined])),
      cursor: undefined,
    });
  };
  const onFilter = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    filter(Object.fromEntries(FILTERS.map((f) => [f, String(form.get(f) ?? '').trim()])));
  };
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">{app.t('orders')}</h1>
      <p>
        <A href="/orders?status=payment_review">{app.t('reviewQueue')}</A>
      </p>
      <search>
        <form class="toolbar" onSubmit={onFilter} aria-label={app.t('filter')}>
          <label for="order-status">{app.t('status')}</label>
          <select id="order-status" name="status" value={params.status ?? ''}>
            <option value="">{app.t('all')}</option>
            <For each={ORDER_STATUSES}>
              {(status) => <option value={status}>{app.t(`status_${status}`)}</option>}
            </For>
          </select>
          <label for="order-user">{app.t('customer')}</label>
          <input id="order-user" name="userId" maxlength="200" value={params.userId ?? ''} />
          <label for="order-from">{app.t('from')}</label>
          <input id="order-from" name="from" type="date" value={params.from ?? ''} />
          <label for="order-to">{app.t('to')}</label>
          <input id="order-to" name="to" type="date" value={params.to ?? ''} />
          <button type="submit">{app.t('filter')}</button>
          <button type="button" onClick={() => filter({})}>
            {app.t('clearFilters')}
          </button>
        </form>
      </search>
      <Loaded resource={page}>
        {(current) => (
          <Show when={current().items.length > 0} fallback={<p>{app.t('noOrders')}</p>}>
            <table class="data">
              <caption class="visually-hidden">{app.t('orders')}</caption>
              <thead>
                <tr>
                  <th scope="col">{app.t('orders')}</th>
                  <th scope="col">{app.t('placed')}</th>
                  <th scope="col">{app.t('customer')}</th>
                  <th scope="col" class="num">
                    {app.t('items')}
                  </th>
                  <th scope="col" class="num">
                    {app.t('total')}
                  </th>
                  <th scope="col">{app.t('status')}</th>
                </tr>
              </thead>
              <tbody>
                <For each={current().items}>
                  {(order) => (
                    <tr>
                      <th scope="row">
                        <A href={`/orders/${order.id}`}>
                          <code>{shortId(order.id)}</code>
                        </A>
                      </th>
                      <td>{app.dateTime(order.createdAt)}</td>
                      <td>
                        <A href={withQuery('/orders', { userId: order.userId })}>
                          <code>{shortId(order.userId)}</code>
                        </A>
                      </td>
                      <td class="num">
                        {app.number(order.items.reduce((sum, item) => sum + item.quantity, 0))}
                      </td>
                      <td class="num">{app.money(order.total.amount, order.total.currency)}</td>
                      <td>{app.t(`status_${order.status}`)}</td>
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
