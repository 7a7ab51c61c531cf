// The dashboard: today's and this month's revenue and paid orders, revenue per day over the last
// 30 days (chart and table), this month's top products — all from reporting, in the browser's
// time zone.
import { createResource, For, Show } from 'solid-js';
import { problemText, withQuery } from '../api.js';
import RevenueChart, { type RevenuePoint } from '../components/RevenueChart.js';
import { useApp } from '../context.js';
import { addDays, browserZone, daysBetween, localDate, monthStart } from '../dates.js';

interface SalesRow {
  period: string;
  currency: string;
  orders: number;
  revenue: number;
}
interface TopRow {
  currency: string;
  rank: number;
  productId: string;
  name: string;
  quantity: number;
  orders: number;
  revenue: number;
}

export default function Dashboard() {
  const app = useApp();
  const zone = browserZone();
  const today = localDate(new Date(), zone);
  const report = async <T,>(name: string, query: Record<string, string | number>) => {
    const answer = await app.api.get<{ rows: T[] }>(
      withQuery(`/api/admin/reports/${name}`, { zone, ...query }),
    );
    if (!answer.ok) throw new Error(problemText(answer));
    return answer.body.rows;
  };
  const [todayRows] = createResource(() =>
    report<SalesRow>('sales', { from: today, to: today, interval: 'day' }),
  );
  const [monthRows] = createResource(() =>
    report<SalesRow>('sales', { from: monthStart(today), to: today, interval: 'month' }),
  );
  const [dailyRows] = createResource(() =>
    report<SalesRow>('sales', { from: addDays(today, -29), to: today, interval: 'day' }),
  );
  const [topRows] = createResource(() =>
    report<TopRow>('top-products', { from: monthStart(today), to: today, limit: 5 }),
  );

  const currencyOf = (rows: SalesRow[] | undefined) => rows?.[0]?.currency ?? 'EUR';
  const points = (): RevenuePoint[] => {
    const rows = dailyRows() ?? [];
    const currency = currencyOf(rows);
    return daysBetween(addDays(today, -29), today).map((day) => {
      const row = rows.find((r) => r.period === day && r.currency === currency);
      return { day, revenue: row?.revenue ?? 0, orders: row?.orders ?? 0 };
    });
  };

  const Tile = (props: { title: string; rows: SalesRow[] | undefined; id: string }) => (
    <section class="tile" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      <Show when={props.rows} fallback={<p>{app.t('loading')}</p>}>
        {(rows) => (
          <Show
            when={rows().length > 0}
            fallback={
              <p class="figure">
                {app.money(0, 'EUR')} · {app.t('orderCountOther', { count: app.number(0) })}
              </p>
            }
          >
            <For each={rows()}>
              {(row) => (
                <p class="figure">
                  {app.money(row.revenue, row.currency)} ·{' '}
                  {app.t(row.orders === 1 ? 'orderCountOne' : 'orderCountOther', {
                    count: app.number(row.orders),
                  })}
                </p>
              )}
            </For>
          </Show>
        )}
      </Show>
    </section>
  );

  const failure = () => todayRows.error ?? monthRows.error ?? dailyRows.error ?? topRows.error;
  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">{app.t('dashboard')}</h1>
      <Show when={failure()}>
        <p role="alert">{app.t('failed', { detail: String(failure()?.message) })}</p>
      </Show>
      <div class="tiles">
        <Tile id="tile-today" title={app.t('today')} rows={todayRows()} />
        <Tile id="tile-month" title={app.t('thisMonth')} rows={monthRows()} />
      </div>
      <Show when={dailyRows()}>
        <RevenueChart
          points={points()}
          currency={currencyOf(dailyRows())}
          title={app.t('revenueLast30')}
        />
      </Show>
      <section aria-labelledby="top-title">
        <h2 id="top-title">{app.t('topProducts')}</h2>
        <Show when={topRows()} fallback={<p>{app.t('loading')}</p>}>
          {(rows) => (
            <Show when={rows().length > 0} fallback={<p>{app.t('noSales')}</p>}>
              <table class="data">
                <thead>
                  <tr>
                    <th scope="col">{app.t('rank')}</th>
                    <th scope="col">{app.t('name')}</th>
                    <th scope="col" class="num">
                      {app.t('quantity')}
                    </th>
                    <th scope="col" class="num">
                      {app.t('revenue')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={rows()}>
                    {(row) => (
                      <tr>
                        <td>{row.rank}</td>
                        <th scope="row">{row.name}</th>
                        <td class="num">{app.number(row.quantity)}</td>
                        <td class="num">{app.money(row.revenue, row.currency)}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
          )}
        </Show>
      </section>
    </section>
  );
}
