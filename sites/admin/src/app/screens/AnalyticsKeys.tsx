// Analytics write keys (analytics-ingest's /api/admin/analytics/sources): one source per site or
// server that sends Segment-style events, with what it sent so far — accepted, deduplicated,
// rejected and why. A new key is shown once, in the answer that made it (the platform keeps only
// a keyed hash); revoking one makes the ingest refuse it within seconds.
import { createResource, createSignal, For, Show } from 'solid-js';
import { problemText } from '../api.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';

interface Source {
  id: string;
  name: string;
  site: string | null;
  keyHint: string;
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt: string | null;
  counts: {
    accepted: number;
    deduped: number;
    rejected: number;
    rejectedByReason: Record<string, number>;
  };
}

export default function AnalyticsKeys() {
  const app = useApp();
  const [notice, setNotice] = createSignal<{ text: string; ok: boolean }>();
  const [created, setCreated] = createSignal<{ name: string; writeKey: string }>();
  const [sources, { refetch }] = createResource(async () => {
    const answer = await app.api.get<{ items: Source[] }>('/api/admin/analytics/sources');
    if (!answer.ok) throw new Error(problemText(answer));
    return answer.body.items;
  });

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const site = String(data.get('site') ?? '').trim();
    const answer = await app.api.send<Source & { writeKey: string }>(
      'POST',
      '/api/admin/analytics/sources',
      { name: String(data.get('name') ?? '').trim(), ...(site && { site }) },
    );
    if (answer.ok) {
      setNotice(undefined);
      setCreated({ name: answer.body.name, writeKey: answer.body.writeKey });
      form.reset();
      document.getElementById('new-key-title')?.focus();
    } else {
      setCreated(undefined);
      setNotice({ text: app.t('failed', { detail: problemText(answer) }), ok: false });
    }
    await refetch();
  };

  const revoke = async (source: Source) => {
    if (!confirm(app.t('revokeConfirm', { name: source.name }))) return;
    const answer = await app.api.send('POST', `/api/admin/analytics/sources/${source.id}/revoke`);
    setNotice(
      answer.ok
        ? { text: app.t('revokedNow', { name: source.name }), ok: true }
        : { text: app.t('failed', { detail: problemText(answer) }), ok: false },
    );
    await refetch();
  };

  const copy = async (key: string) => {
    try {
      await navigator.clipboard.writeText(key);
      setNotice({ text: app.t('copied'), ok: true });
    } catch {
      setNotice({ text: app.t('copyFailed'), ok: false });
    }
  };

  return (
    <section aria-labelledby="analytics-title">
      <h1 id="analytics-title">{app.t('analyticsKeys')}</h1>
      <div aria-live="polite">
        <Show when={notice()}>
          {(shown) => (
            <p class={shown().ok ? 'notice ok' : 'notice warning'} role="status">
              {shown().text}
            </p>
          )}
        </Show>
      </div>
      <Show when={created()}>
        {(made) => (
          <section class="action" aria-labelledby="new-key-title">
            <h2 id="new-key-title" tabindex="-1">
              {app.t('newKeyTitle', { name: made().name })}
            </h2>
            <p class="notice warning">{app.t('newKeyOnce')}</p>
            <p>
              <code data-testid="write-key">{made().writeKey}</code>
            </p>
            <div class="actions">
              <button type="button" onClick={() => void copy(made().writeKey)}>
                {app.t('copy')}
              </button>
              <button type="button" onClick={() => setCreated(undefined)}>
                {app.t('done')}
              </button>
            </div>
          </section>
        )}
      </Show>
      <Show when={app.may('manageAnalyticsKeys')}>
        <section class="action" aria-labelledby="new-source-title">
          <h2 id="new-source-title">{app.t('newSource')}</h2>
          <form class="stack" onSubmit={create}>
            <label for="source-name">{app.t('name')}</label>
            <input id="source-name" name="name" required maxlength="100" placeholder="storefront" />
            <label for="source-site">{app.t('site')}</label>
            <input
              id="source-site"
              name="site"
              maxlength="200"
              placeholder="https://shop.example"
            />
            <div class="actions">
              <button type="submit">{app.t('createKey')}</button>
            </div>
          </form>
        </section>
      </Show>
      <Loaded resource={sources}>
        {(items) => (
          <Show when={items().length > 0} fallback={<p>{app.t('noSources')}</p>}>
            <table class="data">
              <caption>{app.t('sources')}</caption>
              <thead>
                <tr>
                  <th scope="col">{app.t('name')}</th>
                  <th scope="col">{app.t('site')}</th>
                  <th scope="col">{app.t('key')}</th>
                  <th scope="col">{app.t('status')}</th>
                  <th scope="col" class="num">
                    {app.t('accepted')}
                  </th>
                  <th scope="col" class="num">
                    {app.t('deduped')}
                  </th>
                  <th scope="col">{app.t('rejected')}</th>
                  <Show when={app.may('manageAnalyticsKeys')}>
                    <th scope="col">{app.t('action')}</th>
                  </Show>
                </tr>
              </thead>
              <tbody>
                <For each={items()}>
                  {(source) => (
                    <tr>
                      <th scope="row">{source.name}</th>
                      <td class="wrap">{source.site ?? '—'}</td>
                      <td>
                        <code>{source.keyHint}…</code>
                      </td>
                      <td>
                        {source.status === 'active'
                          ? app.t('active')
                          : app.t('revokedAt', { when: app.dateTime(source.revokedAt ?? '') })}
                      </td>
                      <td class="num">{app.number(source.counts.accepted)}</td>
                      <td class="num">{app.number(source.counts.deduped)}</td>
                      <td>
                        {app.number(source.counts.rejected)}
                        <Show when={Object.keys(source.counts.rejectedByReason).length > 0}>
                          {' ('}
                          {Object.entries(source.counts.rejectedByReason)
                            .map(([reason, count]) => `${reason}: ${app.number(count)}`)
                            .join(', ')}
                          {')'}
                        </Show>
                      </td>
                      <Show when={app.may('manageAnalyticsKeys')}>
                        <td>
                          <Show when={source.status === 'active'}>
                            <button
                              type="button"
                              aria-label={app.t('revokeOf', { name: source.name })}
                              onClick={() => void revoke(source)}
                            >
                              {app.t('revoke')}
                            </button>
                          </Show>
                        </td>
                      </Show>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        )}
      </Loaded>
    </section>
  );
}
