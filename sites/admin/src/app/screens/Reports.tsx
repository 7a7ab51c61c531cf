// Reports: any of reporting's reports over a date range as a table, and the same as CSV (the
// proxy asks with Accept: text/csv; the file is reporting's, formula-safe).
import { createResource, createSignal, For, Show } from 'solid-js';
import { problemText, withQuery } from '../api.js';
import { useApp } from '../context.js';
import { addDays, browserZone, localDate } from '../dates.js';

const REPORTS = ['sales', 'conversion', 'top-products', 'affiliates', 'clicks', 'funnel'] as const;
const WITH_INTERVAL = new Set(['sales', 'conversion']);
/** Columns of reporting's reports that hold minor units of the row's `currency`. */
const MONEY_COLUMN =
  /^(revenue|averageOrderValue|refunded|netRevenue|commission|revenueReversed|commissionReversed|netCommission)$/;

interface Query {
  report: string;
  from: string;
  to: string;
  interval: string;
}

export default function Reports() {
  const app = useApp();
  const zone = browserZone();
  const today = localDate(new Date(), zone);
  const [query, setQuery] = createSignal<Query>({
    report: 'sales',
    from: addDays(today, -29),
    to: today,
    interval: 'day',
  });
  const [error, setError] = createSignal<string>();
  const pathOf = (q: Query) =>
    withQuery(`/api/admin/reports/${q.report}`, {
      from: q.from,
      to: q.to,
      zone,
      ...(WITH_INTERVAL.has(q.report) && { interval: q.interval }),
    });
  const [table] = createResource(query, async (q) => {
    const answer = await app.api.get<{ columns: string[]; rows: Record<string, unknown>[] }>(
      pathOf(q),
    );
    if (!answer.ok) throw new Error(problemText(answer));
    return answer.body;
  });

  const onShow = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setQuery({
      report: String(form.get('report')),
      from: String(form.get('from')),
      to: String(form.get('to')),
      interval: String(form.get('interval') ?? 'day'),
    });
  };

  const download = async () => {
    setError(undefined);
    const q = query();
    const answer = await app.api.get<string>(pathOf(q), 'text/csv');
    if (!answer.ok) {
      setError(problemText(answer));
      return;
    }
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([answer.body], { type: 'text/csv' }));
    link.download = `${q.report}-${q.from}-${q.to}.csv`;
    link.click();
    // Revoked once the browser has taken the file.
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };

  // Amounts come in minor units beside their row's currency: shown as money, not as a count.
  const cell = (value: unknown, column: string, row: Record<string, unknown>) =>
    value === null || value === undefined
      ? '—'
      : typeof value === 'number'
        ? MONEY_COLUMN.test(column) && typeof row.currency === 'string'
          ? app.money(value, row.currency)
          : app.number(value)
        : String(value);

  return (
    <section aria-labelledby="reports-title">
      <h1 id="reports-title">{app.t('reports')}</h1>
      <form class="toolbar" onSubmit={onShow}>
        <label for="r-report">{app.t('report')}</label>
        <select id="r-report" name="report" value={query().report}>
          <For each={REPORTS}>{(name) => <option value={name}>{name}</option>}</For>
        </select>
        <label for="r-from">{app.t('from')}</label>
        <input id="r-from" name="from" type="date" required value={query().from} />
        <label for="r-to">{app.t('to')}</label>
        <input id="r-to" name="to" type="date" required value={query().to} />
        <label for="r-interval">{app.t('interval')}</label>
        <select id="r-interval" name="interval" value={query().interval}>
          <option value="day">{app.t('day')}</option>
          <option value="week">{app.t('week')}</option>
          <option value="month">{app.t('month')}</option>
        </select>
        <button type="submit">{app.t('show')}</button>
        <button type="button" class="secondary" onClick={() => void download()}>
          {app.t('downloadCsv')}
        </button>
      </form>
      <Show when={error()}>
        <p class="notice warning" role="alert">
          {error()}
        </p>
      </Show>
      <Show
        when={!table.error}
        fallback={<p role="alert">{app.t('failed', { detail: String(table.error?.message) })}</p>}
      >
        <Show when={table()} fallback={<p>{app.t('loading')}</p>}>
          {(result) => (
            <Show when={result().rows.length > 0} fallback={<p>{app.t('noRows')}</p>}>
              <table class="data">
                <caption class="visually-hidden">{query().report}</caption>
                <thead>
                  <tr>
                    <For each={result().columns}>{(column) => <th scope="col">{column}</th>}</For>
                  </tr>
                </thead>
                <tbody>
                  <For each={result().rows}>
                    {(row) => (
                      <tr>
                        <For each={result().columns}>
                          {(column) => <td>{cell(row[column], column, row)}</td>}
                        </For>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
          )}
        </Show>
      </Show>
    </section>
  );
}
