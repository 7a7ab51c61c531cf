// Feature flags of an environment: on/off with If-Match (a 412 reloads the list and says so),
// the rollout, and each flag's history with the JSON Pointer paths that changed.
import { createResource, createSignal, For, Show } from 'solid-js';
import { problemText, withQuery } from '../api.js';
import { useApp } from '../context.js';

interface Flag {
  key: string;
  environment: string;
  enabled: boolean;
  rolloutPercent: number;
  version: number;
  updatedAt: string;
  updatedBy: string;
}
interface HistoryEntry {
  id: number;
  version: number;
  change: string;
  diff: { path: string; before?: unknown; after?: unknown }[];
  changedBy: string;
  changedAt: string;
}

const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
const show = (value: unknown) => (value === undefined ? '—' : JSON.stringify(value));

export default function Flags() {
  const app = useApp();
  const [environment, setEnvironment] = createSignal<string>('');
  const [error, setError] = createSignal<string>();
  const [history, setHistory] = createSignal<{ key: string; items: HistoryEntry[] }>();
  const [flags, { refetch }] = createResource(environment, async (env) => {
    const answer = await app.api.get<{ environment: string; items: Flag[] }>(
      withQuery('/api/admin/flags', { environment: env }),
    );
    if (!answer.ok) throw new Error(problemText(answer));
    return answer.body;
  });

  const toggle = async (flag: Flag) => {
    setError(undefined);
    const answer = await app.api.send<Flag>(
      'POST',
      withQuery(`/api/admin/flags/${encodeURIComponent(flag.key)}/toggle`, {
        environment: flag.environment,
      }),
      { enabled: !flag.enabled },
      `W/"${flag.version}"`,
    );
    if (answer.status === 412) setError(app.t('flagConflict', { key: flag.key }));
    else if (!answer.ok) setError(problemText(answer));
    await refetch();
    if (history()?.key === flag.key) await showHistory(flag);
  };

  const showHistory = async (flag: Flag) => {
    const answer = await app.api.get<{ items: HistoryEntry[] }>(
      withQuery(`/api/admin/flags/${encodeURIComponent(flag.key)}/history`, {
        environment: flag.environment,
      }),
    );
    if (!answer.ok) setError(problemText(answer));
    else setHistory({ key: flag.key, items: answer.body.items });
  };

  return (
    <section aria-labelledby="flags-title">
      <h1 id="flags-title">{app.t('flags')}</h1>
      <div class="toolbar">
        <label for="flag-env">{app.t('environment')}</label>
        <select
          id="flag-env"
          value={environment()}
          onChange={(e) => setEnvironment(e.currentTarget.value)}
        >
          <option value="">{flags()?.environment ?? '…'}</option>
          <For each={ENVIRONMENTS.filter((env) => env !== flags()?.environment)}>
            {(env) => <option value={env}>{env}</option>}
          </For>
        </select>
      </div>
      <div aria-live="polite">
        <Show when={error()}>
          <p class="notice warning" role="alert">
            {error()}
          </p>
        </Show>
      </div>
      <Show
        when={!flags.error}
        fallback={<p role="alert">{app.t('failed', { detail: String(flags.error?.message) })}</p>}
      >
        <Show when={flags()} fallback={<p>{app.t('loading')}</p>}>
          {(set) => (
            <Show when={set().items.length > 0} fallback={<p>{app.t('noFlags')}</p>}>
              <table class="data">
                <caption class="visually-hidden">{app.t('flags')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{app.t('key')}</th>
                    <th scope="col">{app.t('enabled')}</th>
                    <th scope="col" class="num">
                      {app.t('rollout')}
                    </th>
                    <th scope="col" class="num">
                      {app.t('version')}
                    </th>
                    <th scope="col">{app.t('changedBy')}</th>
                    <th scope="col">{app.t('history')}</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={set().items}>
                    {(flag) => (
                      <tr>
                        <th scope="row">
                          <code>{flag.key}</code>
                        </th>
                        <td>
                          <button
                            type="button"
                            class="switch"
                            aria-pressed={flag.enabled}
                            disabled={!app.may('toggleFlag')}
                            onClick={() => void toggle(flag)}
                          >
                            {app.t(flag.enabled ? 'on' : 'off')}
                            <span class="visually-hidden">: {flag.key}</span>
                          </button>
                        </td>
                        <td class="num">{flag.rolloutPercent} %</td>
                        <td class="num">{flag.version}</td>
                        <td>{flag.updatedBy}</td>
                        <td>
                          <button type="button" class="link" onClick={() => void showHistory(flag)}>
                            {app.t('historyOf', { key: flag.key })}
                          </button>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
          )}
        </Show>
      </Show>
      <Show when={history()}>
        {(shown) => (
          <section aria-labelledby="history-title">
            <h2 id="history-title">{app.t('historyOf', { key: shown().key })}</h2>
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">{app.t('version')}</th>
                  <th scope="col">{app.t('when')}</th>
                  <th scope="col">{app.t('changedBy')}</th>
                  <th scope="col">{app.t('change')}</th>
                </tr>
              </thead>
              <tbody>
                <For each={shown().items}>
                  {(entry) => (
                    <tr>
                      <td class="num">{entry.version}</td>
                      <td>{app.dateTime(entry.changedAt)}</td>
                      <td>{entry.changedBy}</td>
                      <td>
                        <strong>{entry.change}</strong>
                        <ul class="diff">
                          <For each={entry.diff}>
                            {(d) => (
                              <li>
                                <code>{d.path}</code>: <del>{show(d.before)}</del> →{' '}
                                <ins>{show(d.after)}</ins>
                              </li>
                            )}
                          </For>
                        </ul>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </section>
        )}
      </Show>
    </section>
  );
}
