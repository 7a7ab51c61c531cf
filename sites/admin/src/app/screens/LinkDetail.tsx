// One affiliate link: where it sends visitors and whom it credits, what staff should know about
// it (redirect's warnings), its clicks per day over 30 days (people and bots apart) as a chart
// and a table, its rules (first match wins), its A/B split with each destination's share, whether
// it is password protected (the password itself is never shown), and — with links:write —
// disable (/r/:code then answers 410) or enable, with If-Match (a 412 reloads and says so).
import { A, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { problemText } from '../api.js';
import DayChart from '../components/DayChart.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';
import { addDays, daysBetween } from '../dates.js';
import type { MessageKey } from '../i18n.js';
import { type Link, type LinkStats, ruleConditions, variantShares } from '../link.js';

const CONDITION_LABELS: Record<ReturnType<typeof ruleConditions>[number][0], MessageKey> = {
  countries: 'countries',
  devices: 'devices',
  os: 'operatingSystems',
  languages: 'languages',
};

export default function LinkDetail() {
  const app = useApp();
  const params = useParams<{ id: string }>();
  const [notice, setNotice] = createSignal<{ text: string; ok: boolean }>();
  const [link, { refetch }] = createResource(
    () => params.id,
    async (id) => {
      const answer = await app.api.get<Link>(`/api/admin/links/${id}`);
      if (!answer.ok) throw new Error(problemText(answer));
      return answer.body;
    },
  );
  const [stats] = createResource(
    () => params.id,
    async (id) => {
      const answer = await app.api.get<LinkStats>(`/api/admin/links/${id}/stats?days=30`);
      if (!answer.ok) throw new Error(problemText(answer));
      // The API names only days with clicks (UTC); the chart shows all 30, the others as 0.
      const today = new Date().toISOString().slice(0, 10);
      const byDay = new Map(answer.body.days.map((d) => [d.day.slice(0, 10), d]));
      const days = daysBetween(addDays(today, -29), today).map(
        (day) => byDay.get(day) ?? { day, clicks: 0, botClicks: 0 },
      );
      return { ...answer.body, days };
    },
  );
  const setStatus = async (current: Link, action: 'disable' | 'enable') => {
    const answer = await app.api.send(
      'POST',
      `/api/admin/links/${current.id}/${action}`,
      undefined,
      `W/"${current.version}"`,
    );
    if (answer.status === 412) setNotice({ text: app.t('linkChanged'), ok: false });
    else if (!answer.ok)
      setNotice({ text: app.t('failed', { detail: problemText(answer) }), ok: false });
    else
      setNotice({
        text: app.t(action === 'disable' ? 'linkDisabledNow' : 'linkEnabledNow'),
        ok: true,
      });
    await refetch();
  };
  return (
    <section aria-labelledby="link-title">
      <p>
        <A href="/links">{app.t('back')}</A>
      </p>
      <Loaded resource={link}>
        {(current) => (
          <>
            <h1 id="link-title">
              <code>{current().path}</code>
            </h1>
            <div aria-live="polite">
              <Show when={notice()}>
                {(shown) => (
                  <p class={shown().ok ? 'notice ok' : 'notice warning'} role="status">
                    {shown().text}
                  </p>
                )}
              </Show>
            </div>
            <For each={current().warnings}>
              {(warning) => <p class="notice warning">{warning}</p>}
            </For>
            <dl class="facts">
              <dt>{app.t('status')}</dt>
              <dd>{app.t(current().status === 'active' ? 'active' : 'linkDisabled')}</dd>
              <dt>{app.t('destination')}</dt>
              <dd class="wrap">{current().destinationUrl}</dd>
              <dt>{app.t('affiliate')}</dt>
              <dd>{current().affiliateId ?? '—'}</dd>
              <dt>{app.t('campaign')}</dt>
              <dd>{current().campaign ?? '—'}</dd>
              <dt>{app.t('utmParameters')}</dt>
              <dd>
                <code>
                  {Object.entries(current().utm)
                    .map(([name, value]) => `utm_${name}=${value}`)
                    .join(' ') || '—'}
                </code>
              </dd>
              <dt>{app.t('redirectType')}</dt>
              <dd>{current().redirectStatus}</dd>
              <dt>{app.t('expires')}</dt>
              <dd>{current().expiresAt ? app.dateTime(current().expiresAt ?? '') : '—'}</dd>
              <dt>{app.t('access')}</dt>
              <dd>{app.t(current().hasPassword ? 'passwordProtected' : 'openToAll')}</dd>
            </dl>
            <Show when={app.may('manageLinks')}>
              <div class="actions">
                <Show
                  when={current().status === 'active'}
                  fallback={
                    <button type="button" onClick={() => void setStatus(current(), 'enable')}>
                      {app.t('enable')}
                    </button>
                  }
                >
                  <button type="button" onClick={() => void setStatus(current(), 'disable')}>
                    {app.t('disable')}
                  </button>
                </Show>
              </div>
            </Show>
            <section aria-labelledby="link-rules-title">
              <h2 id="link-rules-title">{app.t('rulesTitle')}</h2>
              <Show when={(current().rules ?? []).length > 0} fallback={<p>{app.t('noRules')}</p>}>
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">{app.t('conditions')}</th>
                      <th scope="col">{app.t('destination')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={current().rules}>
                      {(rule, index) => (
                        <tr>
                          <th scope="row">{index() + 1}</th>
                          <td>
                            <ul class="conditions">
                              <For each={ruleConditions(rule)}>
                                {([name, values]) => (
                                  <li>
                                    {app.t(CONDITION_LABELS[name])}: <code>{values}</code>
                                  </li>
                                )}
                              </For>
                            </ul>
                          </td>
                          <td class="wrap">{rule.destinationUrl}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </Show>
            </section>
            <section aria-labelledby="link-variants-title">
              <h2 id="link-variants-title">{app.t('variantsTitle')}</h2>
              <Show
                when={(current().variants ?? []).length > 0}
                fallback={<p>{app.t('noVariants')}</p>}
              >
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">{app.t('destination')}</th>
                      <th scope="col" class="num">
                        {app.t('weight')}
                      </th>
                      <th scope="col" class="num">
                        {app.t('share')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={current().variants}>
                      {(variant, index) => (
                        <tr>
                          <th scope="row">{index() + 1}</th>
                          <td class="wrap">{variant.destinationUrl}</td>
                          <td class="num">{app.number(variant.weight)}</td>
                          <td class="num">
                            {app.number(variantShares(current().variants)[index()] ?? 0)} %
                          </td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </Show>
            </section>
          </>
        )}
      </Loaded>
      <Loaded resource={stats}>
        {(current) => (
          <>
            <p>
              {app.t('clicksTotal', {
                clicks: app.number(current().totals.clicks),
                bots: app.number(current().totals.botClicks),
              })}
            </p>
            <DayChart
              title={app.t('clicksLast30')}
              days={current().days.map((d) => d.day)}
              series={[
                {
                  label: app.t('clicks'),
                  values: current().days.map((d) => d.clicks),
                  format: (v) => app.number(Math.round(v)),
                },
                {
                  label: app.t('botClicks'),
                  values: current().days.map((d) => d.botClicks),
                  format: (v) => app.number(Math.round(v)),
                  stroke: '#8a5a00',
                  fill: 'rgba(138, 90, 0, 0.08)',
                },
              ]}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}
