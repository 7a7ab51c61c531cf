// Affiliate links, newest first, with keyset pages (redirect’s /api/admin/links) whose cursor is
// in the URL; with links:write, a new link: its code, a destination on the shop's own hosts
// (redirect refuses any other, and says why), the affiliate and campaign it credits, UTM
// parameters, 302 or (with a warning) 301, an expiry, rules by country, device, OS and
// language (rows added and removed), an A/B split by weight, and a password (sent once, never
// shown back). Redirect's refusals name their fields; each is shown next to its field.
import { A, useNavigate } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { type Problem, problemText, withQuery } from '../api.js';
import { CursorPager, createCursorTrail } from '../components/CursorPager.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';
import type { MessageKey } from '../i18n.js';
import { DEVICES, type FieldErrors, fieldErrors, type Link, newLinkBody } from '../link.js';

const DEVICE_LABELS: Record<(typeof DEVICES)[number], MessageKey> = {
  desktop: 'deviceDesktop',
  mobile: 'deviceMobile',
  tablet: 'deviceTablet',
  tv: 'deviceTv',
  other: 'deviceOther',
};
const FIELDS = [
  'code',
  'destinationUrl',
  'affiliateId',
  'campaign',
  'utm.source',
  'utm.medium',
  'utm.campaign',
  'redirectStatus',
  'expiresAt',
  'password',
  'rules',
  'variants',
];
const ROW_FIELDS = {
  rules: ['', '.countries', '.devices', '.os', '.languages', '.destinationUrl'],
  variants: ['', '.destinationUrl', '.weight'],
};
const errorId = (field: string) => `link-error-${field.replaceAll('.', '-')}`;
let nextRow = 0;

export default function Links() {
  const app = useApp();
  const navigate = useNavigate();
  const trail = createCursorTrail();
  const [error, setError] = createSignal<string>();
  const [permanent, setPermanent] = createSignal(false);
  const [errors, setErrors] = createSignal<FieldErrors>();
  // Row ids (stable across removals); a row's position names its fields (rules.0.countries…).
  const [rules, setRules] = createSignal<number[]>([]);
  const [variants, setVariants] = createSignal<number[]>([]);
  const reasons = (field: string) => errors()?.byField.get(field) ?? [];
  const invalid = (field: string) => reasons(field).length > 0 || undefined;
  /** The hint and the errors of the field (or fieldset) named `field`. */
  const describedBy = (field: string, hint?: string) => {
    const ids = [hint, reasons(field).length > 0 ? errorId(field) : undefined].filter(Boolean);
    return ids.length > 0 ? ids.join(' ') : undefined;
  };
  const FieldError = (props: { field: string }) => (
    <Show when={reasons(props.field).length > 0}>
      <small id={errorId(props.field)} class="field-error">
        {reasons(props.field).join('; ')}
      </small>
    </Show>
  );
  const [page] = createResource(trail.current, async (at) => {
    const answer = await app.api.get<{ items: Link[]; nextCursor: string | null }>(
      withQuery('/api/admin/links', { limit: 50, cursor: at }),
    );
    if (!answer.ok) throw new Error(problemText(answer));
    return answer.body;
  });
  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const body = newLinkBody(new FormData(form));
    const answer = await app.api.send<Link>('POST', '/api/admin/links', body);
    if (!answer.ok) {
      const rows = [
        ...rules().flatMap((_, i) => ROW_FIELDS.rules.map((f) => `rules.${i}${f}`)),
        ...variants().flatMap((_, i) => ROW_FIELDS.variants.map((f) => `variants.${i}${f}`)),
      ];
      const problem = (answer.body ?? {}) as unknown as Problem;
      const sorted = fieldErrors(problem.errors, [...FIELDS, ...rows]);
      setErrors(sorted);
      const rest = sorted.rest.map((e) => `${e.name.replace(/^json\./, '')} ${e.reason}`);
      setError(
        app.t('linkNotCreated', {
          detail: [problem.detail ?? problem.title ?? `HTTP ${answer.status}`, ...rest].join('; '),
        }),
      );
      // Keyboard users land on the first field that is wrong.
      queueMicrotask(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setErrors(undefined);
    navigate(`/links/${answer.body.id}`);
  };
  return (
    <section aria-labelledby="links-title">
      <h1 id="links-title">{app.t('links')}</h1>
      <Show when={app.may('manageLinks')}>
        <details class="action">
          <summary>{app.t('newLink')}</summary>
          <form class="stack" onSubmit={create}>
            <label for="link-code">{app.t('code')}</label>
            <input
              id="link-code"
              name="code"
              required
              maxlength="100"
              placeholder="spring-sale"
              aria-invalid={invalid('code')}
              aria-describedby={describedBy('code')}
            />
            <FieldError field="code" />
            <label for="link-destination">{app.t('destination')}</label>
            <input
              id="link-destination"
              name="destinationUrl"
              type="url"
              required
              maxlength="2000"
              placeholder="https://shop.example/summer-sale"
              aria-invalid={invalid('destinationUrl')}
              aria-describedby={describedBy('destinationUrl', 'link-destination-hint')}
            />
            <small id="link-destination-hint" class="muted">
              {app.t('destinationHint')}
            </small>
            <FieldError field="destinationUrl" />
            <label for="link-affiliate">{app.t('affiliate')}</label>
            <input
              id="link-affiliate"
              name="affiliateId"
              maxlength="100"
              aria-invalid={invalid('affiliateId')}
              aria-describedby={describedBy('affiliateId')}
            />
            <FieldError field="affiliateId" />
            <label for="link-campaign">{app.t('campaign')}</label>
            <input
              id="link-campaign"
              name="campaign"
              maxlength="100"
              aria-invalid={invalid('campaign')}
              aria-describedby={describedBy('campaign')}
            />
            <FieldError field="campaign" />
            <fieldset>
              <legend>{app.t('utmParameters')}</legend>
              <For each={['source', 'medium', 'campaign']}>
                {(name) => (
                  <>
                    <label for={`link-utm-${name}`}>utm_{name}</label>
                    <input
                      id={`link-utm-${name}`}
                      name={`utm_${name}`}
                      maxlength="100"
                      aria-invalid={invalid(`utm.${name}`)}
                      aria-describedby={describedBy(`utm.${name}`)}
                    />
                    <FieldError field={`utm.${name}`} />
                  </>
                )}
              </For>
            </fieldset>
            <label for="link-status">{app.t('redirectType')}</label>
            <select
              id="link-status"
              name="redirectStatus"
              onChange={(event) => setPermanent(event.currentTarget.value === '301')}
            >
              <option value="302">{app.t('redirect302')}</option>
              <option value="301">{app.t('redirect301')}</option>
            </select>
            <FieldError field="redirectStatus" />
            <Show when={permanent()}>
              <p class="notice warning">{app.t('redirect301Warning')}</p>
            </Show>
            <label for="link-expires">{app.t('expires')}</label>
            <input
              id="link-expires"
              name="expiresAt"
              type="datetime-local"
              aria-invalid={invalid('expiresAt')}
              aria-describedby={describedBy('expiresAt')}
            />
            <FieldError field="expiresAt" />
            <fieldset class="rows" aria-describedby={describedBy('rules')}>
              <legend>{app.t('linkRules')}</legend>
              <FieldError field="rules" />
              <For each={rules()}>
                {(row, index) => {
                  const n = () => index() + 1;
                  const at = (field: string) => `rules.${index()}${field}`;
                  const id = (field: string) => `link-rule-${row}-${field}`;
                  return (
                    <fieldset class="row" aria-describedby={describedBy(at(''))}>
                      <legend>{app.t('rule', { n: n() })}</legend>
                      <FieldError field={at('')} />
                      <label for={id('countries')}>
                        {app.t('countries')}
                        <span class="visually-hidden"> {app.t('ofRule', { n: n() })}</span>
                      </label>
                      <input
                        id={id('countries')}
                        name={at('.countries')}
                        maxlength="200"
                        placeholder="DE, AT"
                        aria-invalid={invalid(at('.countries'))}
                        aria-describedby={describedBy(at('.countries'), id('countries-hint'))}
                      />
                      <small id={id('countries-hint')} class="muted">
                        {app.t('countriesHint')}
                      </small>
                      <FieldError field={at('.countries')} />
                      <fieldset
                        class="devices-group"
                        aria-describedby={describedBy(at('.devices'))}
                      >
                        <legend>
                          {app.t('devices')}
                          <span class="visually-hidden"> {app.t('ofRule', { n: n() })}</span>
                        </legend>
                        <div class="devices">
                          <For each={DEVICES}>
                            {(device) => (
                              <label>
                                <input type="checkbox" name={at('.devices')} value={device} />{' '}
                                {app.t(DEVICE_LABELS[device])}
                              </label>
                            )}
                          </For>
                        </div>
                        <FieldError field={at('.devices')} />
                      </fieldset>
                      <label for={id('os')}>
                        {app.t('operatingSystems')}
                        <span class="visually-hidden"> {app.t('ofRule', { n: n() })}</span>
                      </label>
                      <input
                        id={id('os')}
                        name={at('.os')}
                        maxlength="200"
                        aria-invalid={invalid(at('.os'))}
                        aria-describedby={describedBy(at('.os'), id('os-hint'))}
                      />
                      <small id={id('os-hint')} class="muted">
                        {app.t('osHint')}
                      </small>
                      <FieldError field={at('.os')} />
                      <label for={id('languages')}>
                        {app.t('languages')}
                        <span class="visually-hidden"> {app.t('ofRule', { n: n() })}</span>
                      </label>
                      <input
                        id={id('languages')}
                        name={at('.languages')}
                        maxlength="200"
                        aria-invalid={invalid(at('.languages'))}
                        aria-describedby={describedBy(at('.languages'), id('languages-hint'))}
                      />
                      <small id={id('languages-hint')} class="muted">
                        {app.t('languagesHint')}
                      </small>
                      <FieldError field={at('.languages')} />
                      <label for={id('destination')}>
                        {app.t('destination')}
                        <span class="visually-hidden"> {app.t('ofRule', { n: n() })}</span>
                      </label>
                      <input
                        id={id('destination')}
                        name={at('.destinationUrl')}
                        type="url"
                        required
                        maxlength="2000"
                        placeholder="https://shop.example/de"
                        aria-invalid={invalid(at('.destinationUrl'))}
                        aria-describedby={describedBy(at('.destinationUrl'))}
                      />
                      <FieldError field={at('.destinationUrl')} />
                      <div class="actions">
                        <button
                          type="button"
                          class="secondary"
                          onClick={() => {
                            // The rows after it are renumbered: errors by row number fit no more.
                            setErrors(undefined);
                            setRules((all) => all.filter((r) => r !== row));
                          }}
                        >
                          {app.t('removeRule', { n: n() })}
                        </button>
                      </div>
                    </fieldset>
                  );
                }}
              </For>
              <div class="actions">
                <button
                  type="button"
                  class="secondary"
                  onClick={() => {
                    const row = nextRow++;
                    setRules((all) => [...all, row]);
                    document.getElementById(`link-rule-${row}-countries`)?.focus();
                  }}
                >
                  {app.t('addRule')}
                </button>
              </div>
            </fieldset>
            <fieldset class="rows" aria-describedby={describedBy('variants', 'link-variants-hint')}>
              <legend>{app.t('linkVariants')}</legend>
              <small id="link-variants-hint" class="muted">
                {app.t('variantsHint')}
              </small>
              <FieldError field="variants" />
              <For each={variants()}>
                {(row, index) => {
                  const n = () => index() + 1;
                  const at = (field: string) => `variants.${index()}${field}`;
                  const id = (field: string) => `link-variant-${row}-${field}`;
                  return (
                    <fieldset class="row" aria-describedby={describedBy(at(''))}>
                      <legend>{app.t('variant', { n: n() })}</legend>
                      <FieldError field={at('')} />
                      <label for={id('destination')}>
                        {app.t('destination')}
                        <span class="visually-hidden"> {app.t('ofVariant', { n: n() })}</span>
                      </label>
                      <input
                        id={id('destination')}
                        name={at('.destinationUrl')}
                        type="url"
                        required
                        maxlength="2000"
                        placeholder="https://shop.example/b"
                        aria-invalid={invalid(at('.destinationUrl'))}
                        aria-describedby={describedBy(at('.destinationUrl'))}
                      />
                      <FieldError field={at('.destinationUrl')} />
                      <label for={id('weight')}>
                        {app.t('weight')}
                        <span class="visually-hidden"> {app.t('ofVariant', { n: n() })}</span>
                      </label>
                      <input
                        id={id('weight')}
                        name={at('.weight')}
                        type="number"
                        inputmode="numeric"
                        min="1"
                        max="1000"
                        step="1"
                        required
                        value="50"
                        aria-invalid={invalid(at('.weight'))}
                        aria-describedby={describedBy(at('.weight'))}
                      />
                      <FieldError field={at('.weight')} />
                      <div class="actions">
                        <button
                          type="button"
                          class="secondary"
                          onClick={() => {
                            setErrors(undefined);
                            setVariants((all) => all.filter((r) => r !== row));
                          }}
                        >
                          {app.t('removeVariant', { n: n() })}
                        </button>
                      </div>
                    </fieldset>
                  );
                }}
              </For>
              <div class="actions">
                <button
                  type="button"
                  class="secondary"
                  onClick={() => {
                    const row = nextRow++;
                    setVariants((all) => [...all, row]);
                    document.getElementById(`link-variant-${row}-destination`)?.focus();
                  }}
                >
                  {app.t('addVariant')}
                </button>
              </div>
            </fieldset>
            <label for="link-password">{app.t('linkPassword')}</label>
            <input
              id="link-password"
              name="password"
              type="password"
              autocomplete="new-password"
              minlength="8"
              maxlength="200"
              aria-invalid={invalid('password')}
              aria-describedby={describedBy('password', 'link-password-hint')}
            />
            <small id="link-password-hint" class="muted">
              {app.t('linkPasswordHint')}
            </small>
            <FieldError field="password" />
            <Show when={error()}>
              <p class="notice warning" role="alert">
                {error()}
              </p>
            </Show>
            <div class="actions">
              <button type="submit">{app.t('createLink')}</button>
            </div>
          </form>
        </details>
      </Show>
      <Loaded resource={page}>
        {(current) => (
          <Show when={current().items.length > 0} fallback={<p>{app.t('noLinks')}</p>}>
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">{app.t('code')}</th>
                  <th scope="col">{app.t('destination')}</th>
                  <th scope="col">{app.t('affiliate')}</th>
                  <th scope="col">{app.t('campaign')}</th>
                  <th scope="col">{app.t('status')}</th>
                </tr>
              </thead>
              <tbody>
                <For each={current().items}>
                  {(link) => (
                    <tr>
                      <th scope="row">
                        <A href={`/links/${link.id}`}>
                          <code>{link.code}</code>
                        </A>
                      </th>
                      <td class="wrap">{link.destinationUrl}</td>
                      <td>{link.affiliateId ?? '—'}</td>
                      <td>{link.campaign ?? '—'}</td>
                      <td>{app.t(link.status === 'active' ? 'active' : 'linkDisabled')}</td>
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
