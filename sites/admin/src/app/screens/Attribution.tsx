// Attribution: what affiliates and campaigns earned over a period (attribution's /totals), how
// one sale was credited, in words and numbers (/orders/:id — also reached from an order's
// screen), and a period re-scored under another model as a job whose progress shows until its
// totals are there. A re-score never touches live conversions or paid-out commissions.
import { useSearchParams } from '@solidjs/router';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { problemText, withQuery } from '../api.js';
import {
  ATTRIBUTION_MODELS,
  type Explanation,
  type RescoreJob,
  type Totals,
} from '../attribution.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';
import { addDays, browserZone, instantOfDate, localDate } from '../dates.js';

const today = () => localDate(new Date(), browserZone());

export default function Attribution() {
  const app = useApp();
  const [params, setParams] = useSearchParams<{
    from?: string;
    to?: string;
    groupBy?: string;
    order?: string;
  }>();
  const from = () => params.from ?? addDays(today(), -29);
  const to = () => params.to ?? today();
  const groupBy = () => (params.groupBy === 'campaign' ? 'campaign' : 'affiliate');

  const [totals] = createResource(
    () => ({ from: from(), to: to(), groupBy: groupBy() }),
    async (query) => {
      const answer = await app.api.get<Totals>(
        withQuery('/api/admin/attribution/totals', {
          from: instantOfDate(query.from, false),
          to: instantOfDate(addDays(query.to, 1), false),
          groupBy: query.groupBy,
        }),
      );
      if (!answer.ok) throw new Error(problemText(answer));
      return answer.body;
    },
  );
  const [explanation] = createResource(
    () => params.order,
    async (id) => {
      const answer = await app.api.get<Explanation>(`/api/admin/attribution/orders/${id}`);
      if (!answer.ok) throw new Error(problemText(answer));
      return answer.body;
    },
  );

  const [job, setJob] = createSignal<RescoreJob>();
  const [jobError, setJobError] = createSignal<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const follow = async (jobId: string) => {
    const answer = await app.api.get<RescoreJob>(`/api/admin/attribution/rescore/${jobId}`);
    if (!answer.ok) {
      setJobError(problemText(answer));
      return;
    }
    setJob(answer.body);
    if (answer.body.status === 'running') timer = setTimeout(() => void follow(jobId), 1000);
  };
  const rescore = async (event: SubmitEvent) => {
    event.preventDefault();
    clearTimeout(timer);
    setJobError(undefined);
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const answer = await app.api.send<RescoreJob>('POST', '/api/admin/attribution/rescore', {
      from: instantOfDate(String(form.get('from')), false),
      to: instantOfDate(addDays(String(form.get('to')), 1), false),
      model: String(form.get('model')),
    });
    if (!answer.ok) {
      setJob(undefined);
      setJobError(problemText(answer));
      return;
    }
    setJob(answer.body);
    if (answer.body.status === 'running')
      timer = setTimeout(() => void follow(answer.body.jobId), 500);
  };

  const onPeriod = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setParams({
      from: String(form.get('from')) || undefined,
      to: String(form.get('to')) || undefined,
      groupBy: String(form.get('groupBy')),
    });
  };
  const onExplain = (event: SubmitEvent) => {
    event.preventDefault();
    const id = String(new FormData(event.currentTarget as HTMLFormElement).get('order')).trim();
    setParams({ order: id || undefined });
  };
  const money = (amount: number, currency: string) => app.money(amount, currency);

  return (
    <section aria-labelledby="attribution-title">
      <h1 id="attribution-title">{app.t('attribution')}</h1>

      <section aria-labelledby="totals-title">
        <h2 id="totals-title">{app.t('earned')}</h2>
        <form class="toolbar" onSubmit={onPeriod} aria-label={app.t('period')}>
          <label for="totals-from">{app.t('from')}</label>
          <input id="totals-from" name="from" type="date" required value={from()} />
          <label for="totals-to">{app.t('to')}</label>
          <input id="totals-to" name="to" type="date" required value={to()} />
          <label for="totals-group">{app.t('groupBy')}</label>
          <select id="totals-group" name="groupBy" value={groupBy()}>
            <option value="affiliate">{app.t('affiliate')}</option>
            <option value="campaign">{app.t('campaign')}</option>
          </select>
          <button type="submit">{app.t('show')}</button>
        </form>
        <Loaded resource={totals}>
          {(current) => (
            <Show when={current().items.length > 0} fallback={<p>{app.t('noRows')}</p>}>
              <table class="data">
                <caption class="visually-hidden">{app.t('earned')}</caption>
                <thead>
                  <tr>
                    <th scope="col">
                      {groupBy() === 'campaign' ? app.t('campaign') : app.t('affiliate')}
                    </th>
                    <th scope="col" class="num">
                      {app.t('conversions')}
                    </th>
                    <th scope="col" class="num">
                      {app.t('credit')}
                    </th>
                    <th scope="col" class="num">
                      {app.t('commission')}
                    </th>
                    <th scope="col" class="num">
                      {app.t('reversed')}
                    </th>
                    <th scope="col" class="num">
                      {app.t('netCommission')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={current().items}>
                    {(row) => (
                      <tr>
                        <th scope="row">{row.key ?? app.t('direct')}</th>
                        <td class="num">{app.number(row.conversions)}</td>
                        <td class="num">{money(row.credit, row.currency)}</td>
                        <td class="num">{money(row.commission, row.currency)}</td>
                        <td class="num">{money(row.commissionReversed, row.currency)}</td>
                        <td class="num">{money(row.netCommission, row.currency)}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
          )}
        </Loaded>
      </section>

      <section aria-labelledby="explain-title">
        <h2 id="explain-title">{app.t('explainSale')}</h2>
        <form class="toolbar" onSubmit={onExplain}>
          <label for="explain-order">{app.t('orderId')}</label>
          <input
            id="explain-order"
            name="order"
            required
            pattern="[0-9a-fA-F-]{36}"
            size="38"
            value={params.order ?? ''}
          />
          <button type="submit">{app.t('explain')}</button>
        </form>
        <Show when={params.order}>
          <Loaded resource={explanation}>
            {(sale) => (
              <>
                <p data-testid="attribution-summary">{sale().summary}</p>
                <dl class="facts">
                  <dt>{app.t('model')}</dt>
                  <dd>
                    <code>{sale().model}</code> · {sale().rule}
                  </dd>
                  <dt>{app.t('revenue')}</dt>
                  <dd>{money(sale().revenue.amount, sale().revenue.currency)}</dd>
                  <dt>{app.t('commission')}</dt>
                  <dd>{money(sale().commission, sale().revenue.currency)}</dd>
                  <Show when={sale().mismatchReason}>
                    <dt>{app.t('reason')}</dt>
                    <dd>{sale().mismatchReason}</dd>
                  </Show>
                </dl>
                <Show when={sale().credits.length > 0}>
                  <table class="data">
                    <caption>{app.t('credits')}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{app.t('when')}</th>
                        <th scope="col">{app.t('touchpoint')}</th>
                        <th scope="col" class="num">
                          {app.t('share')}
                        </th>
                        <th scope="col" class="num">
                          {app.t('credit')}
                        </th>
                        <th scope="col" class="num">
                          {app.t('commission')}
                        </th>
                        <th scope="col">{app.t('why')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={sale().credits}>
                        {(credit) => (
                          <tr>
                            <td>{app.dateTime(credit.touchedAt)}</td>
                            <th scope="row">
                              {credit.affiliateId ?? credit.campaign ?? credit.kind}
                            </th>
                            <td class="num">{app.number(credit.sharePercent)} %</td>
                            <td class="num">{money(credit.credit, sale().revenue.currency)}</td>
                            <td class="num">{money(credit.commission, sale().revenue.currency)}</td>
                            <td class="wrap">{credit.explanation}</td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </Show>
              </>
            )}
          </Loaded>
        </Show>
      </section>

      <Show when={app.may('rescoreAttribution')}>
        <section class="action" aria-labelledby="rescore-title">
          <h2 id="rescore-title">{app.t('rescoreTitle')}</h2>
          <p>{app.t('rescoreIntro')}</p>
          <form class="toolbar" onSubmit={rescore}>
            <label for="rescore-from">{app.t('from')}</label>
            <input id="rescore-from" name="from" type="date" required value={from()} />
            <label for="rescore-to">{app.t('to')}</label>
            <input id="rescore-to" name="to" type="date" required value={to()} />
            <label for="rescore-model">{app.t('model')}</label>
            <select id="rescore-model" name="model">
              <For each={ATTRIBUTION_MODELS}>
                {(model) => <option value={model}>{model}</option>}
              </For>
            </select>
            <button type="submit">{app.t('rescore')}</button>
          </form>
          <div aria-live="polite">
            <Show when={jobError()}>
              <p class="notice warning" role="alert">
                {app.t('failed', { detail: jobError() ?? '' })}
              </p>
            </Show>
            <Show when={job()}>
              {(current) => (
                <Show
                  when={current().status === 'done'}
                  fallback={
                    <p role="status">
                      {current().status === 'failed'
                        ? app.t('failed', { detail: current().error ?? '' })
                        : app.t('rescoring', {
                            processed: app.number(current().processed),
                            total: app.number(current().total),
                          })}
                    </p>
                  }
                >
                  <p role="status">
                    {app.t('rescored', {
                      model: current().model,
                      count: app.number(current().total),
                    })}
                  </p>
                  <Show when={current().totals.length > 0}>
                    <table class="data">
                      <caption>{app.t('rescoreTotals', { model: current().model })}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{app.t('affiliate')}</th>
                          <th scope="col">{app.t('campaign')}</th>
                          <th scope="col" class="num">
                            {app.t('credit')}
                          </th>
                          <th scope="col" class="num">
                            {app.t('commission')}
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        <For each={current().totals}>
                          {(row) => (
                            <tr>
                              <th scope="row">{row.affiliateId ?? app.t('direct')}</th>
                              <td>{row.campaign ?? '—'}</td>
                              <td class="num">{money(row.credit, row.currency)}</td>
                              <td class="num">{money(row.commission, row.currency)}</td>
                            </tr>
                          )}
                        </For>
                      </tbody>
                    </table>
                  </Show>
                </Show>
              )}
            </Show>
          </div>
        </section>
      </Show>
    </section>
  );
}
