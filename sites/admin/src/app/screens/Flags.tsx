// Feature flags of an environment, on/off with If-Match (a 412 reloads and says so); a flag's
// details: every environment's state, default variant and rollout side by side, each editable
// with If-Match (or created from another environment's copy), the scheduled changes of the
// chosen environment (create at a time in the browser's zone, delete a pending one), and its
// history with before → after per changed path, who and when. flags:read sees, flags:write
// edits; feature-flag enforces both and its refusals are shown as they come.
import {
  type Accessor,
  createMemo,
  createResource,
  createSignal,
  For,
  Index,
  type JSX,
  Show,
} from 'solid-js';
import { type ApiAnswer, type Problem, problemText, withQuery } from '../api.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';
import { browserZone } from '../dates.js';
import {
  ENVIRONMENTS,
  type Environment,
  environmentValues,
  type Flag,
  type HistoryEntry,
  historyChanges,
  parsePercent,
  type ScheduledChange,
  scheduleStep,
  showValue,
} from '../flag.js';
import type { MessageKey } from '../i18n.js';
import { fieldErrors } from '../link.js';

type Notice = { text: string; ok: boolean } | undefined;

const flagPath = (key: string, environment: string, rest = '') =>
  withQuery(`/api/admin/flags/${encodeURIComponent(key)}${rest}`, { environment });

export default function Flags() {
  const app = useApp();
  const [environment, setEnvironment] = createSignal<string>('');
  const [notice, setNotice] = createSignal<Notice>();
  const [selected, setSelected] = createSignal<string>();
  // Bumped by every change, so the details read the flag again.
  const [changes, setChanges] = createSignal(0);
  const [flags, { refetch }] = createResource(environment, async (env) => {
    const answer = await app.api.get<{ environment: Environment; items: Flag[] }>(
      withQuery('/api/admin/flags', { environment: env }),
    );
    if (!answer.ok) throw new Error(problemText(answer));
    return answer.body;
  });
  // A string: reloading the list (same environment) does not read the details again.
  const shownEnvironment = createMemo(() => flags()?.environment);

  /** After a write: says how it went (a 412 reloads and says so) and reads everything again. */
  const settle = async (flag: Flag, answer: ApiAnswer<Flag>) => {
    if (answer.status === 412)
      setNotice({ text: app.t('flagConflict', { key: flag.key }), ok: false });
    else if (!answer.ok) setNotice({ text: problemText(answer), ok: false });
    else
      setNotice({
        text: app.t('flagSaved', {
          key: answer.body.key,
          env: answer.body.environment,
          version: answer.body.version,
        }),
        ok: true,
      });
    setChanges((n) => n + 1);
    await refetch();
    return answer.ok;
  };

  const toggle = async (flag: Flag) => {
    setNotice(undefined);
    const answer = await app.api.send<Flag>(
      'POST',
      flagPath(flag.key, flag.environment, '/toggle'),
      { enabled: !flag.enabled },
      `W/"${flag.version}"`,
    );
    await settle(flag, answer);
  };

  const open = (key: string) => {
    setSelected(key);
    setNotice(undefined);
    queueMicrotask(() => document.getElementById('flag-detail-title')?.focus());
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
        <Show when={notice()}>
          {(shown) => (
            <p class={shown().ok ? 'notice ok' : 'notice warning'} role="status">
              {shown().text}
            </p>
          )}
        </Show>
      </div>
      <Loaded resource={flags}>
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
                  <th scope="col">{app.t('details')}</th>
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
                        <button
                          type="button"
                          class="link"
                          aria-expanded={selected() === flag.key}
                          onClick={() => open(flag.key)}
                        >
                          {app.t('flagDetailsOf', { key: flag.key })}
                        </button>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        )}
      </Loaded>
      <Show when={shownEnvironment() ? selected() : undefined}>
        {(key) => (
          <FlagDetail
            flagKey={key()}
            environment={shownEnvironment() ?? 'dev'}
            changes={changes()}
            settle={settle}
            onNotice={setNotice}
          />
        )}
      </Show>
    </section>
  );
}

function FlagDetail(props: {
  flagKey: string;
  /** The environment the list shows: its schedule and history are shown. */
  environment: Environment;
  changes: number;
  settle: (flag: Flag, answer: ApiAnswer<Flag>) => Promise<boolean>;
  onNotice: (notice: Notice) => void;
}) {
  const app = useApp();
  // Every environment's copy of the flag (null: not in that environment).
  // Sources are strings: only another flag or a change reads again; the cells are Index'ed, so
  // focus and what is being typed survive a reload.
  const [copies] = createResource(
    () => `${props.changes}:${props.flagKey}`,
    async () => {
      const key = props.flagKey;
      return Promise.all(
        ENVIRONMENTS.map(async (env) => {
          const answer = await app.api.get<Flag>(flagPath(key, env));
          if (answer.status === 404) return { env, flag: null };
          if (!answer.ok) throw new Error(problemText(answer));
          return { env, flag: answer.body };
        }),
      );
    },
  );
  const send = async (
    flag: Flag,
    method: 'PUT' | 'POST',
    rest: string,
    body: unknown,
  ): Promise<boolean> => {
    props.onNotice(undefined);
    const answer = await app.api.send<Flag>(
      method,
      flagPath(flag.key, flag.environment, rest),
      body,
      `W/"${flag.version}"`,
    );
    return props.settle(flag, answer);
  };
  const copyTo = async (env: Environment, from: Flag) => {
    props.onNotice(undefined);
    const answer = await app.api.send<Flag>('POST', '/api/admin/flags', {
      key: from.key,
      environment: env,
      definition: from.definition,
    });
    await props.settle(from, answer);
  };

  const row = (
    label: MessageKey,
    cell: (flag: Accessor<Flag>, env: Environment) => JSX.Element,
  ) => (
    <tr>
      <th scope="row">{app.t(label)}</th>
      <Index each={copies() ?? []}>
        {(copy) => (
          <td>
            <Show when={copy().flag} fallback="—">
              {(flag) => cell(flag, copy().env)}
            </Show>
          </td>
        )}
      </Index>
    </tr>
  );

  return (
    <section aria-labelledby="flag-detail-title" class="flag-detail">
      <h2 id="flag-detail-title" tabindex="-1">
        {app.t('flagEnvironments', { key: props.flagKey })}
      </h2>
      <Loaded resource={copies}>
        {(all) => (
          <div class="scroll">
            <table class="data environments">
              <caption class="visually-hidden">
                {app.t('flagEnvironments', { key: props.flagKey })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{app.t('value')}</th>
                  <For each={all()}>
                    {(copy) => (
                      <th scope="col" aria-current={copy.env === props.environment || undefined}>
                        {copy.env}
                      </th>
                    )}
                  </For>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">{app.t('state')}</th>
                  <Index each={all()}>
                    {(copy) => (
                      <td>
                        <Show
                          when={copy().flag}
                          fallback={<CopyHere env={copy().env} all={all()} onCopy={copyTo} />}
                        >
                          {(flag) => (
                            <button
                              type="button"
                              class="switch"
                              aria-pressed={flag().enabled}
                              disabled={!app.may('toggleFlag')}
                              onClick={() =>
                                void send(flag(), 'POST', '/toggle', { enabled: !flag().enabled })
                              }
                            >
                              {app.t(flag().enabled ? 'on' : 'off')}
                              <span class="visually-hidden">
                                : {app.t('toggleIn', { key: flag().key, env: copy().env })}
                              </span>
                            </button>
                          )}
                        </Show>
                      </td>
                    )}
                  </Index>
                </tr>
                {row('defaultVariant', (flag, env) => (
                  <DefaultVariant flag={flag()} env={env} onSet={send} />
                ))}
                {row('rollout', (flag, env) => (
                  <Rollout flag={flag()} env={env} onSet={send} />
                ))}
                {row('version', (flag) => (
                  <>{flag().version}</>
                ))}
                {row('lastChange', (flag) => (
                  <>
                    {app.dateTime(flag().updatedAt)}
                    <br />
                    <span class="muted">{flag().updatedBy}</span>
                  </>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
      <Schedule
        flagKey={props.flagKey}
        environment={props.environment}
        changes={props.changes}
        onNotice={props.onNotice}
      />
      <History flagKey={props.flagKey} environment={props.environment} changes={props.changes} />
    </section>
  );
}

/** In an environment without the flag: create it there as another environment has it. */
function CopyHere(props: {
  env: Environment;
  all: { env: Environment; flag: Flag | null }[];
  onCopy: (env: Environment, from: Flag) => Promise<void>;
}) {
  const app = useApp();
  const source = () => props.all.find((copy) => copy.flag)?.flag ?? undefined;
  return (
    <>
      <span>{app.t('notInEnvironment', { env: props.env })}</span>
      <Show when={app.may('editFlag') && source()}>
        {(from) => (
          <>
            <br />
            <button
              type="button"
              class="secondary"
              onClick={() => void props.onCopy(props.env, from())}
            >
              {app.t('copyToEnvironment', { env: props.env, from: from().environment })}
            </button>
          </>
        )}
      </Show>
    </>
  );
}

type Send = (flag: Flag, method: 'PUT' | 'POST', rest: string, body: unknown) => Promise<boolean>;

function DefaultVariant(props: { flag: Flag; env: Environment; onSet: Send }) {
  const app = useApp();
  const values = () => environmentValues(props.flag);
  const id = () => `default-${props.env}`;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const chosen = String(new FormData(event.currentTarget as HTMLFormElement).get('variant'));
    void props.onSet(props.flag, 'PUT', '', {
      definition: { ...props.flag.definition, defaultVariant: chosen },
    });
  };
  return (
    <>
      <code>{values().defaultVariant ?? '—'}</code>
      <Show when={app.may('editFlag') && values().variants.length > 1}>
        <form class="cell-form" onSubmit={submit}>
          <label for={id()} class="visually-hidden">
            {app.t('defaultVariantIn', { env: props.env })}
          </label>
          <select id={id()} name="variant" value={values().defaultVariant ?? ''}>
            <For each={values().variants}>{(name) => <option value={name}>{name}</option>}</For>
          </select>
          <button type="submit" class="secondary">
            {app.t('setDefaultVariant')}
            <span class="visually-hidden"> ({props.env})</span>
          </button>
        </form>
      </Show>
    </>
  );
}

function Rollout(props: { flag: Flag; env: Environment; onSet: Send }) {
  const app = useApp();
  const [invalid, setInvalid] = createSignal(false);
  const values = () => environmentValues(props.flag);
  const id = () => `rollout-${props.env}`;
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const percent = parsePercent(String(new FormData(form).get('percent') ?? ''));
    setInvalid(percent === undefined);
    if (percent === undefined) return;
    await props.onSet(props.flag, 'PUT', '/rollout', { percent });
  };
  return (
    <>
      <Show
        when={values().rollout}
        fallback={
          <span class="muted">{app.t(values().hasRules ? 'rolloutRules' : 'rolloutEveryone')}</span>
        }
      >
        {(rollout) => (
          // In JSX, so a new percentage shows (the Show keeps its children while it has one).
          <span>
            {app.t('rolloutOf', {
              percent: rollout().percent,
              variant: rollout().variant,
              other: rollout().otherVariant,
            })}
          </span>
        )}
      </Show>
      <Show when={app.may('editFlag')}>
        <form class="cell-form" onSubmit={(e) => void submit(e)} novalidate>
          <label for={id()}>{app.t('rolloutIn', { env: props.env })}</label>
          <input
            id={id()}
            name="percent"
            type="number"
            inputmode="numeric"
            min="0"
            max="100"
            step="1"
            required
            value={values().rollout?.percent ?? props.flag.rolloutPercent}
            aria-invalid={invalid() || undefined}
            aria-describedby={invalid() ? `${id()}-error` : undefined}
          />
          <button type="submit" class="secondary">
            {app.t('setRollout')}
            <span class="visually-hidden"> ({props.env})</span>
          </button>
          <Show when={invalid()}>
            <small id={`${id()}-error`} class="field-error">
              {app.t('badPercent')}
            </small>
          </Show>
        </form>
      </Show>
    </>
  );
}

const STEP_STATUS: Record<ScheduledChange['status'], MessageKey> = {
  pending: 'stepPending',
  applied: 'stepApplied',
  failed: 'stepFailed',
  cancelled: 'stepCancelled',
};

function Schedule(props: {
  flagKey: string;
  environment: Environment;
  changes: number;
  onNotice: (notice: Notice) => void;
}) {
  const app = useApp();
  const zone = browserZone();
  const [what, setWhat] = createSignal('rollout');
  const [errors, setErrors] = createSignal<{ at?: string; percent?: string; rest?: string }>({});
  const [steps, { refetch }] = createResource(
    () => `${props.changes}:${props.environment}:${props.flagKey}`,
    async () => {
      const [key, env] = [props.flagKey, props.environment];
      const answer = await app.api.get<{ items: ScheduledChange[] }>(
        flagPath(key, env, '/schedule'),
      );
      if (!answer.ok) throw new Error(problemText(answer));
      return answer.body.items;
    },
  );
  const describeStep = (change: ScheduledChange['change']) =>
    change.rolloutPercent !== undefined
      ? app.t('stepRollout', { percent: change.rolloutPercent })
      : app.t(change.state === 'ENABLED' ? 'stepEnable' : 'stepDisable');

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const step = scheduleStep(
      {
        at: String(data.get('at') ?? ''),
        what: String(data.get('what') ?? ''),
        percent: String(data.get('percent') ?? ''),
      },
      new Date(),
    );
    if (!step.ok) {
      setErrors({ [step.field]: app.t(step.reason) });
      return;
    }
    setErrors({});
    props.onNotice(undefined);
    const answer = await app.api.send<{ items: ScheduledChange[] }>(
      'POST',
      flagPath(props.flagKey, props.environment, '/schedule'),
      { steps: [step.step] },
    );
    if (!answer.ok) {
      const problem = (answer.body ?? {}) as Problem;
      const sorted = fieldErrors(problem.errors, ['steps.0.at', 'steps.0.rolloutPercent']);
      setErrors({
        at: sorted.byField.get('steps.0.at')?.join('; '),
        percent: sorted.byField.get('steps.0.rolloutPercent')?.join('; '),
        rest: problemText(answer),
      });
      return;
    }
    form.reset();
    setWhat('rollout');
    props.onNotice({ text: app.t('scheduledFor', { when: app.dateTime(step.step.at) }), ok: true });
    await refetch();
  };

  const remove = async (step: ScheduledChange) => {
    props.onNotice(undefined);
    const answer = await app.api.send(
      'DELETE',
      flagPath(props.flagKey, props.environment, `/schedule/${step.id}`),
    );
    props.onNotice(
      answer.ok
        ? { text: app.t('stepDeleted', { when: app.dateTime(step.runAt) }), ok: true }
        : { text: problemText(answer), ok: false },
    );
    await refetch();
  };

  return (
    <section aria-labelledby="schedule-title">
      <h3 id="schedule-title">{app.t('scheduleTitle', { env: props.environment })}</h3>
      <Loaded resource={steps}>
        {(items) => (
          <Show when={items().length > 0} fallback={<p>{app.t('noScheduled')}</p>}>
            <table class="data">
              <caption class="visually-hidden">
                {app.t('scheduleTitle', { env: props.environment })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{app.t('when')}</th>
                  <th scope="col">{app.t('change')}</th>
                  <th scope="col">{app.t('status')}</th>
                  <th scope="col">{app.t('changedBy')}</th>
                  <th scope="col">{app.t('outcome')}</th>
                  <Show when={app.may('editFlag')}>
                    <th scope="col">
                      <span class="visually-hidden">{app.t('deleteStep')}</span>
                    </th>
                  </Show>
                </tr>
              </thead>
              <tbody>
                <For each={items()}>
                  {(step) => (
                    <tr>
                      <td>{app.dateTime(step.runAt)}</td>
                      <td>{describeStep(step.change)}</td>
                      <td>{app.t(STEP_STATUS[step.status])}</td>
                      <td>{step.createdBy}</td>
                      <td>{step.outcome ?? '—'}</td>
                      <Show when={app.may('editFlag')}>
                        <td>
                          <Show when={step.status === 'pending'}>
                            <button
                              type="button"
                              class="secondary"
                              onClick={() => void remove(step)}
                            >
                              {app.t('deleteStep')}
                              <span class="visually-hidden">
                                : {app.t('stepAt', { when: app.dateTime(step.runAt) })}
                              </span>
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
      <Show when={app.may('editFlag')}>
        <form class="stack" onSubmit={(e) => void create(e)} novalidate>
          <label for="schedule-at">{app.t('scheduleAt', { zone })}</label>
          <input
            id="schedule-at"
            name="at"
            type="datetime-local"
            required
            aria-invalid={errors().at ? true : undefined}
            aria-describedby={errors().at ? 'schedule-at-error' : undefined}
          />
          <Show when={errors().at}>
            <small id="schedule-at-error" class="field-error">
              {errors().at}
            </small>
          </Show>
          <label for="schedule-what">{app.t('scheduleWhat')}</label>
          <select
            id="schedule-what"
            name="what"
            value={what()}
            onChange={(e) => setWhat(e.currentTarget.value)}
          >
            <option value="rollout">{app.t('scheduleRollout')}</option>
            <option value="enable">{app.t('scheduleEnable')}</option>
            <option value="disable">{app.t('scheduleDisable')}</option>
          </select>
          <Show when={what() === 'rollout'}>
            <label for="schedule-percent">{app.t('schedulePercent')}</label>
            <input
              id="schedule-percent"
              name="percent"
              type="number"
              inputmode="numeric"
              min="0"
              max="100"
              step="1"
              required
              aria-invalid={errors().percent ? true : undefined}
              aria-describedby={errors().percent ? 'schedule-percent-error' : undefined}
            />
            <Show when={errors().percent}>
              <small id="schedule-percent-error" class="field-error">
                {errors().percent}
              </small>
            </Show>
          </Show>
          <Show when={errors().rest}>
            <p class="notice warning" role="alert">
              {errors().rest}
            </p>
          </Show>
          <div class="actions">
            <button type="submit">{app.t('scheduleAdd')}</button>
          </div>
        </form>
      </Show>
    </section>
  );
}

function History(props: { flagKey: string; environment: Environment; changes: number }) {
  const app = useApp();
  const [history] = createResource(
    () => `${props.changes}:${props.environment}:${props.flagKey}`,
    async () => {
      const [key, env] = [props.flagKey, props.environment];
      const answer = await app.api.get<{ items: HistoryEntry[] }>(flagPath(key, env, '/history'));
      if (answer.status === 404) return [];
      if (!answer.ok) throw new Error(problemText(answer));
      return answer.body.items;
    },
  );
  return (
    <section aria-labelledby="history-title">
      <h3 id="history-title">
        {app.t('historyIn', { key: props.flagKey, env: props.environment })}
      </h3>
      <Loaded resource={history}>
        {(items) => (
          <Show when={items().length > 0} fallback={<p>{app.t('noHistory')}</p>}>
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
                <For each={items()}>
                  {(entry) => (
                    <tr>
                      <td class="num">{entry.version}</td>
                      <td>{app.dateTime(entry.changedAt)}</td>
                      <td>{entry.changedBy}</td>
                      <td>
                        <strong>{entry.change}</strong>
                        <ul class="diff">
                          <For each={historyChanges(entry)}>
                            {(d) => (
                              <li>
                                <code>{d.path || '/'}</code>:{' '}
                                <del>
                                  <span class="visually-hidden">{app.t('before')}: </span>
                                  {showValue(d.before)}
                                </del>{' '}
                                →{' '}
                                <ins>
                                  <span class="visually-hidden">{app.t('after')}: </span>
                                  {showValue(d.after)}
                                </ins>
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
          </Show>
        )}
      </Loaded>
    </section>
  );
}
