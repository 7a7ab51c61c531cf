// The audit log: entries newest first with filters and keyset pages, the verify button (every
// leaf and the tree recomputed against every signed checkpoint), and an entry's inclusion proof
// checked here in the browser against the latest checkpoint's root.
import { useSearchParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { problemText, withQuery } from '../api.js';
import { CursorPager, createCursorTrail } from '../components/CursorPager.js';
import { useApp } from '../context.js';
import { instantOfDate } from '../dates.js';
import { rootFromInclusionProof } from '../merkle.js';

interface Entry {
  index: number;
  action: string;
  actor: string | null;
  target: { type: string; id: string };
  before: unknown;
  after: unknown;
  occurredAt: string;
  leafHash: string;
}

interface Verification {
  ok: boolean;
  size: number;
  checkpointsChecked: number;
  latestCheckpoint: { size: number; rootHash: string } | null;
  firstProblem: { problem: string; index?: number; detail: string } | null;
}

interface ProofView {
  index: number;
  size: number;
  leafHash: string;
  proof: string[];
  root: string | null;
  checkpoint: { size: number; rootHash: string } | null;
}

const FILTERS = ['action', 'actor', 'targetType', 'targetId', 'from', 'to'] as const;
type Filter = (typeof FILTERS)[number];

export default function Audit() {
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
      const answer = await app.api.get<{ items: Entry[]; nextCursor: string | null }>(
        withQuery('/api/admin/audit', {
          ...query,
          from: instantOfDate(query.from, false),
          to: instantOfDate(query.to, true),
          limit: 25,
        }),
      );
      if (!answer.ok) throw new Error(problemText(answer));
      return answer.body;
    },
  );
  const [verification, setVerification] = createSignal<Verification>();
  const [verifying, setVerifying] = createSignal(false);
  const [proof, setProof] = createSignal<ProofView>();
  const [error, setError] = createSignal<string>();

  const verify = async (): Promise<Verification | undefined> => {
    setVerifying(true);
    setError(undefined);
    try {
      const answer = await app.api.get<Verification>('/api/admin/audit/verify');
      if (!answer.ok) {
        setError(problemText(answer));
        return undefined;
      }
      setVerification(answer.body);
      return answer.body;
    } finally {
      setVerifying(false);
    }
  };

  const showProof = async (entry: Entry) => {
    const state = verification() ?? (await verify());
    if (!state) return;
    const checkpoint = state.latestCheckpoint;
    // Against the latest signed checkpoint when it covers the entry, else the log as it is.
    const size =
      checkpoint && entry.index < checkpoint.size
        ? checkpoint.size
        : Math.max(state.size, entry.index + 1);
    const answer = await app.api.get<{
      index: number;
      size: number;
      leafHash: string;
      proof: string[];
    }>(withQuery('/api/admin/audit/proof/inclusion', { index: entry.index, size }));
    if (!answer.ok) {
      setError(problemText(answer));
      return;
    }
    const root = await rootFromInclusionProof(
      entry.index,
      size,
      answer.body.leafHash,
      answer.body.proof,
    );
    setProof({
      ...answer.body,
      root,
      checkpoint: checkpoint && entry.index < checkpoint.size ? checkpoint : null,
    });
    document.getElementById('proof-title')?.focus();
  };

  const onFilter = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setParams({
      ...Object.fromEntries(FILTERS.map((f) => [f, String(form.get(f) ?? '').trim() || undefined])),
      cursor: undefined,
    });
  };

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{app.t('audit')}</h1>
      <div class="actions">
        <button type="button" onClick={() => void verify()} disabled={verifying()}>
          {verifying() ? app.t('verifying') : app.t('verify')}
        </button>
      </div>
      <div aria-live="polite">
        <Show when={verification()}>
          {(result) => (
            <p
              class={result().ok ? 'notice ok' : 'notice warning'}
              data-verify={result().ok ? 'ok' : 'bad'}
            >
              {result().ok
                ? app.t('verifiedOk', {
                    size: result().size,
                    checkpoints: result().checkpointsChecked,
                  })
                : app.t('verifiedBad', {
                    problem: result().firstProblem?.problem ?? '?',
                    index: result().firstProblem?.index ?? '?',
                    detail: result().firstProblem?.detail ?? '',
                  })}
            </p>
          )}
        </Show>
      </div>
      <Show when={error()}>
        <p class="notice warning" role="alert">
          {error()}
        </p>
      </Show>
      <form class="toolbar" onSubmit={onFilter} aria-label={app.t('filter')}>
        <label for="f-action">{app.t('action')}</label>
        <input
          id="f-action"
          name="action"
          placeholder="shop.offer.price_changed"
          value={params.action ?? ''}
        />
        <label for="f-actor">{app.t('actor')}</label>
        <input id="f-actor" name="actor" value={params.actor ?? ''} />
        <label for="f-target-type">{app.t('target')}</label>
        <input
          id="f-target-type"
          name="targetType"
          placeholder="product"
          value={params.targetType ?? ''}
        />
        <label for="f-target-id">{app.t('targetId')}</label>
        <input id="f-target-id" name="targetId" value={params.targetId ?? ''} />
        <label for="f-from">{app.t('from')}</label>
        <input id="f-from" name="from" type="date" value={params.from ?? ''} />
        <label for="f-to">{app.t('to')}</label>
        <input id="f-to" name="to" type="date" value={params.to ?? ''} />
        <button type="submit">{app.t('filter')}</button>
      </form>
      <Show when={proof()}>
        {(view) => (
          <section class="proof" aria-labelledby="proof-title">
            <h2 id="proof-title" tabindex="-1">
              {app.t('showProof', { index: view().index })}
            </h2>
            <p>{app.t('proofIntro', { index: view().index, size: view().size })}</p>
            <p>
              {app.t('leafHash')}: <code>{view().leafHash}</code>
            </p>
            <ol class="hashes">
              <For each={view().proof}>
                {(hash) => (
                  <li>
                    <code>{hash}</code>
                  </li>
                )}
              </For>
            </ol>
            <p>{app.t('proofRoot', { root: view().root ?? '—' })}</p>
            <p
              data-proof={
                view().checkpoint
                  ? view().root === view().checkpoint?.rootHash
                    ? 'match'
                    : 'mismatch'
                  : 'pending'
              }
            >
              {view().checkpoint
                ? view().root === view().checkpoint?.rootHash
                  ? app.t('proofMatches', { size: view().checkpoint?.size ?? 0 })
                  : app.t('proofMismatch')
                : app.t('proofPending')}
            </p>
          </section>
        )}
      </Show>
      <Show
        when={!page.error}
        fallback={<p role="alert">{app.t('failed', { detail: String(page.error?.message) })}</p>}
      >
        <Show when={page()} fallback={<p>{app.t('loading')}</p>}>
          {(current) => (
            <Show when={current().items.length > 0} fallback={<p>{app.t('noEntries')}</p>}>
              <table class="data">
                <caption class="visually-hidden">{app.t('audit')}</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">{app.t('when')}</th>
                    <th scope="col">{app.t('action')}</th>
                    <th scope="col">{app.t('actor')}</th>
                    <th scope="col">{app.t('target')}</th>
                    <th scope="col">{app.t('details')}</th>
                    <th scope="col">{app.t('proof')}</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={current().items}>
                    {(entry) => (
                      <tr data-action={entry.action}>
                        <td class="num">{entry.index}</td>
                        <td>{app.dateTime(entry.occurredAt)}</td>
                        <td>
                          <code>{entry.action}</code>
                        </td>
                        <td>{entry.actor ?? '—'}</td>
                        <td>
                          {entry.target.type} <code>{entry.target.id}</code>
                        </td>
                        <td>
                          <details>
                            <summary>{app.t('details')}</summary>
                            <pre>
                              {JSON.stringify(
                                { before: entry.before, after: entry.after },
                                null,
                                2,
                              )}
                            </pre>
                          </details>
                        </td>
                        <td>
                          <button type="button" class="link" onClick={() => void showProof(entry)}>
                            {app.t('showProof', { index: entry.index })}
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
      <CursorPager trail={trail} nextCursor={page()?.nextCursor} />
    </section>
  );
}
