// Products as CSV: download the whole catalog (offer's export, formula-safe), or import a file —
// first a dry run that lists every row error by its line and what would change, then the import
// as a job whose progress shows until it is done. The file is read in the browser and sent as
// text; offer checks and applies it (the island holds no catalog rule).
import { A } from '@solidjs/router';
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { type Problem, problemText } from '../api.js';
import { useApp } from '../context.js';

interface RowError {
  line: number;
  column?: string;
  reason: string;
}

interface Preview {
  rows: number;
  create: number;
  update: number;
  unchanged: number;
  invalid: number;
  errors: RowError[];
  changes: { line: number; slug: string; kind: 'create' | 'update'; fields: string[] }[];
}

interface Job {
  id: string;
  status: 'pending' | 'running' | 'done';
  totalRows: number;
  processedRows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: RowError[];
}

export default function ProductImport() {
  const app = useApp();
  const [file, setFile] = createSignal<{ name: string; text: string }>();
  const [preview, setPreview] = createSignal<Preview>();
  const [job, setJob] = createSignal<Job>();
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));

  const send = (dryRun: boolean) => {
    const chosen = file();
    if (!chosen) return undefined;
    // The dry run answers a Preview, the import a Job, a refusal a Problem (with the preview).
    type Answer = Preview & Omit<Job, 'status'> & Omit<Problem, 'status'> & { preview?: Preview };
    return app.api.send<Answer>('POST', '/api/admin/catalog/imports', {
      csv: chosen.text,
      fileName: chosen.name.slice(0, 200),
      dryRun,
    });
  };

  const onChoose = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const chosen = input.files?.[0];
    setPreview(undefined);
    setJob(undefined);
    setError(undefined);
    if (!chosen) return setFile(undefined);
    setFile({ name: chosen.name, text: await chosen.text() });
  };

  const onCheck = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await send(true);
      if (!answer) return;
      if (!answer.ok) return setError(problemText(answer));
      setPreview(answer.body);
    } finally {
      setBusy(false);
    }
  };

  const follow = async (id: string) => {
    const answer = await app.api.get<Job>(`/api/admin/catalog/imports/${id}`);
    if (!answer.ok) return setError(problemText(answer));
    setJob(answer.body);
    if (answer.body.status !== 'done') timer = setTimeout(() => void follow(id), 1000);
  };

  const onImport = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await send(false);
      if (!answer) return;
      if (!answer.ok) {
        if (answer.body.preview) setPreview(answer.body.preview);
        return setError(problemText(answer));
      }
      setPreview(undefined);
      await follow(answer.body.id);
    } finally {
      setBusy(false);
    }
  };

  const where = (row: RowError) =>
    row.column
      ? app.t('importErrorAt', { line: row.line, column: row.column })
      : app.t('importErrorLine', { line: row.line });

  return (
    <section aria-labelledby="import-title">
      <p>
        <A href="/products">{app.t('back')}</A>
      </p>
      <h1 id="import-title">{app.t('importExport')}</h1>
      <p>
        <a href="/api/admin/catalog/export" download="">
          {app.t('exportCsv')}
        </a>
      </p>
      <p class="muted">{app.t('importHint')}</p>
      <Show when={error()}>
        <p class="notice warning" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={app.may('importProducts')}>
        <form
          class="stack"
          onSubmit={(event) => void onCheck(event)}
          aria-labelledby="import-title"
        >
          <label for="import-file">{app.t('importFile')}</label>
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            onChange={(event) => void onChoose(event)}
          />
          <div class="actions">
            <button type="submit" disabled={!file() || busy()}>
              {app.t('checkFile')}
            </button>
          </div>
        </form>
      </Show>
      <Show when={preview()}>
        {(p) => (
          <section aria-labelledby="preview-title">
            <h2 id="preview-title">{app.t('importPreview')}</h2>
            <p role="status" data-testid="import-preview">
              {app.t('importCounts', {
                rows: app.number(p().rows),
                create: app.number(p().create),
                update: app.number(p().update),
                unchanged: app.number(p().unchanged),
                invalid: app.number(p().invalid),
              })}
            </p>
            <Show when={p().errors.length > 0}>
              <table>
                <caption>{app.t('importErrors')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{app.t('importWhere')}</th>
                    <th scope="col">{app.t('importReason')}</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={p().errors}>
                    {(row) => (
                      <tr>
                        <td>{where(row)}</td>
                        <td>{row.reason}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
            <Show when={p().changes.length > 0}>
              <table>
                <caption>{app.t('importChanges')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{app.t('importWhere')}</th>
                    <th scope="col">{app.t('slug')}</th>
                    <th scope="col">{app.t('importFields')}</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={p().changes}>
                    {(change) => (
                      <tr>
                        <td>{app.t('importErrorLine', { line: change.line })}</td>
                        <td>{change.slug}</td>
                        <td>
                          {change.kind === 'create' ? app.t('importNew') : change.fields.join(', ')}
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
            <Show when={p().invalid === 0 && p().create + p().update > 0}>
              <div class="actions">
                <button type="button" disabled={busy()} onClick={() => void onImport()}>
                  {app.t('importRows', { count: app.number(p().create + p().update) })}
                </button>
              </div>
            </Show>
          </section>
        )}
      </Show>
      <Show when={job()}>
        {(j) => (
          <section aria-labelledby="job-title">
            <h2 id="job-title">{app.t('importJob')}</h2>
            <progress
              max={Math.max(1, j().totalRows)}
              value={j().processedRows}
              aria-labelledby="job-title"
            />
            <p role="status" data-testid="import-job">
              {j().status === 'done'
                ? app.t('importDone', {
                    created: app.number(j().created),
                    updated: app.number(j().updated),
                    unchanged: app.number(j().unchanged),
                    failed: app.number(j().failed),
                  })
                : app.t('importProgress', {
                    processed: app.number(j().processedRows),
                    total: app.number(j().totalRows),
                  })}
            </p>
            <Show when={j().errors.length > 0}>
              <ul>
                <For each={j().errors}>
                  {(row) => (
                    <li>
                      {where(row)}: {row.reason}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </section>
        )}
      </Show>
    </section>
  );
}
