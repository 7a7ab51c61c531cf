// Edit a product: every save sends If-Match with the version the form was loaded at. A 412 means
// someone else saved in between: their record is fetched and shown beside mine field by field,
// with keep-mine / take-theirs per field, and the merge is saved against their version.
import { A, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { type ApiAnswer, problemText } from '../api.js';
import { useApp } from '../context.js';
import type { MessageKey } from '../i18n.js';
import {
  type Choice,
  changedFields,
  defaultChoices,
  diffEdits,
  type FieldDiff,
  mergeEdits,
} from '../merge.js';
import { decimalOf, parseMoney } from '../money.js';
import {
  EDIT_FIELDS,
  type EditField,
  etagOf,
  fieldsOf,
  PATCH_FIELDS,
  type Product,
  type ProductFields,
} from '../product.js';

const LABELS: Record<EditField, MessageKey> = {
  name: 'name',
  slug: 'slug',
  category: 'category',
  description: 'description',
  stock: 'stock',
  priceAmount: 'price',
};

interface Conflict {
  theirs: Product;
  mine: ProductFields;
  diffs: FieldDiff<EditField>[];
}

export default function ProductEdit() {
  const app = useApp();
  const params = useParams<{ id: string }>();
  const [product, setProduct] = createSignal<Product>();
  const [form, setForm] = createStore({
    name: '',
    slug: '',
    category: '',
    description: '',
    stock: '',
    price: '',
  });
  const [error, setError] = createSignal<string>();
  const [notice, setNotice] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  const [conflict, setConflict] = createSignal<Conflict>();
  const [choices, setChoices] = createStore<Partial<Record<EditField, Choice>>>({});

  /** Shows `next` as the record the form edits (base of the next save). */
  const load = (next: Product) => {
    setProduct(next);
    setForm({
      name: next.name,
      slug: next.slug,
      category: next.category,
      description: next.description,
      stock: String(next.stock),
      price: decimalOf(next.priceAmount, next.currency),
    });
  };

  const [initial] = createResource(
    () => params.id,
    async (id) => {
      const answer = await app.api.get<Product>(`/api/admin/offers/${encodeURIComponent(id)}`);
      if (!answer.ok) throw new Error(problemText(answer));
      load(answer.body);
      return answer.body;
    },
  );

  /** The form as fields, or an error message key. */
  const mine = (current: Product): ProductFields | MessageKey => {
    const priceAmount = parseMoney(form.price, current.currency);
    if (priceAmount === null) return 'badPrice';
    if (!/^\d{1,10}$/.test(form.stock.trim())) return 'badStock';
    return {
      name: form.name.trim(),
      slug: form.slug.trim(),
      category: form.category.trim(),
      description: form.description,
      stock: Number(form.stock.trim()),
      priceAmount,
    };
  };

  const showConflict = async (wanted: ProductFields, base: ProductFields) => {
    const answer = await app.api.get<Product>(`/api/admin/offers/${encodeURIComponent(params.id)}`);
    if (!answer.ok) {
      setError(problemText(answer));
      return;
    }
    const diffs = diffEdits(base, wanted, fieldsOf(answer.body), EDIT_FIELDS);
    setChoices(defaultChoices(diffs));
    setConflict({ theirs: answer.body, mine: wanted, diffs });
  };

  /** Saves `wanted` over `base` (the record at `etag`): PATCH the fields, then PUT the price. */
  const save = async (base: Product, wanted: ProductFields) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      let current = base;
      const patch = changedFields(fieldsOf(current), wanted, PATCH_FIELDS);
      const steps: (() => Promise<ApiAnswer<Product>>)[] = [];
      if (Object.keys(patch).length > 0) {
        steps.push(() =>
          app.api.send<Product>('PATCH', `/api/admin/offers/${current.id}`, patch, etagOf(current)),
        );
      }
      if (wanted.priceAmount !== current.priceAmount) {
        steps.push(() =>
          app.api.send<Product>(
            'PUT',
            `/api/admin/offers/${current.id}/price`,
            { amount: wanted.priceAmount, currency: current.currency },
            etagOf(current),
          ),
        );
      }
      for (const step of steps) {
        const answer = await step();
        if (answer.status === 412) {
          await showConflict(wanted, fieldsOf(current));
          return;
        }
        if (!answer.ok) {
          setError(problemText(answer));
          return;
        }
        current = answer.body;
        load(current);
      }
      setConflict(undefined);
      setNotice(app.t('saved'));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const current = product();
    if (!current) return;
    const wanted = mine(current);
    if (typeof wanted === 'string') {
      setError(app.t(wanted));
      return;
    }
    void save(current, wanted);
  };

  const onMerge = () => {
    const open = conflict();
    if (!open) return;
    const merged = mergeEdits(open.mine, fieldsOf(open.theirs), choices, EDIT_FIELDS);
    load(open.theirs);
    void save(open.theirs, merged);
  };

  const setStatus = async (action: 'archive' | 'unarchive') => {
    const current = product();
    if (!current) return;
    const answer = await app.api.send<Product>(
      'POST',
      `/api/admin/offers/${current.id}/${action}`,
      undefined,
      etagOf(current),
    );
    if (answer.status === 412) setError(app.t('conflictTitle'));
    else if (!answer.ok) setError(problemText(answer));
    else load(answer.body);
  };

  const shown = (field: EditField, value: string | number) =>
    field === 'priceAmount' && product()
      ? app.money(Number(value), product()?.currency ?? 'EUR')
      : String(value);

  return (
    <section aria-labelledby="edit-title">
      <p>
        <A href="/products">{app.t('back')}</A>
      </p>
      <Show
        when={!initial.error}
        fallback={<p role="alert">{app.t('failed', { detail: String(initial.error?.message) })}</p>}
      >
        <Show when={product()} fallback={<p>{app.t('loading')}</p>}>
          {(current) => (
            <>
              <h1 id="edit-title">{app.t('editProduct', { name: current().name })}</h1>
              <p class="muted">
                {app.t('version')} {current().version} · {app.t(current().status)}
              </p>
              <Show when={conflict()}>
                {(open) => (
                  <section class="conflict" aria-labelledby="conflict-title">
                    <h2 id="conflict-title">{app.t('conflictTitle')}</h2>
                    <p>
                      {app.t('conflictIntro', {
                        who: app.t('someoneElse'),
                        version: open().theirs.version,
                      })}
                    </p>
                    <table class="data">
                      <thead>
                        <tr>
                          <th scope="col">{app.t('field')}</th>
                          <th scope="col">{app.t('yours')}</th>
                          <th scope="col">{app.t('theirs')}</th>
                          <th scope="col">{app.t('change')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        <For each={open().diffs}>
                          {(diff) => (
                            <tr data-field={diff.field}>
                              <th scope="row">{app.t(LABELS[diff.field])}</th>
                              <td class="mine">{shown(diff.field, diff.mine)}</td>
                              <td class="theirs">{shown(diff.field, diff.theirs)}</td>
                              <td>
                                <fieldset class="choice">
                                  <legend class="visually-hidden">
                                    {app.t(LABELS[diff.field])}
                                  </legend>
                                  <label>
                                    <input
                                      type="radio"
                                      name={`choice-${diff.field}`}
                                      value="mine"
                                      checked={choices[diff.field] === 'mine'}
                                      onChange={() => setChoices(diff.field, 'mine')}
                                    />{' '}
                                    {app.t('keepMine')}
                                  </label>
                                  <label>
                                    <input
                                      type="radio"
                                      name={`choice-${diff.field}`}
                                      value="theirs"
                                      checked={choices[diff.field] === 'theirs'}
                                      onChange={() => setChoices(diff.field, 'theirs')}
                                    />{' '}
                                    {app.t('takeTheirs')}
                                  </label>
                                </fieldset>
                                <span class="muted">
                                  {app.t(
                                    diff.mineChanged && diff.theirsChanged
                                      ? 'bothChanged'
                                      : diff.theirsChanged
                                        ? 'onlyTheyChanged'
                                        : 'onlyYouChanged',
                                  )}
                                </span>
                              </td>
                            </tr>
                          )}
                        </For>
                      </tbody>
                    </table>
                    <div class="actions">
                      <button type="button" onClick={onMerge} disabled={busy()}>
                        {app.t('saveMerged')}
                      </button>
                      <button
                        type="button"
                        class="secondary"
                        onClick={() => {
                          const open2 = conflict();
                          if (open2) load(open2.theirs);
                          setConflict(undefined);
                        }}
                      >
                        {app.t('cancel')}
                      </button>
                    </div>
                  </section>
                )}
              </Show>
              <Show when={error()}>
                <p class="notice warning" role="alert">
                  {error()}
                </p>
              </Show>
              <Show when={notice()}>
                <p class="notice" role="status">
                  {notice()}
                </p>
              </Show>
              <form class="stack" onSubmit={onSubmit} aria-labelledby="edit-title">
                <fieldset disabled={!app.may('editProduct') || busy() || conflict() !== undefined}>
                  <legend class="visually-hidden">
                    {app.t('editProduct', { name: current().name })}
                  </legend>
                  <label for="p-name">{app.t('name')}</label>
                  <input
                    id="p-name"
                    required
                    maxlength="200"
                    value={form.name}
                    onInput={(e) => setForm('name', e.currentTarget.value)}
                  />
                  <label for="p-slug">{app.t('slug')}</label>
                  <input
                    id="p-slug"
                    required
                    maxlength="100"
                    value={form.slug}
                    onInput={(e) => setForm('slug', e.currentTarget.value)}
                  />
                  <label for="p-category">{app.t('category')}</label>
                  <input
                    id="p-category"
                    required
                    maxlength="100"
                    value={form.category}
                    onInput={(e) => setForm('category', e.currentTarget.value)}
                  />
                  <label for="p-price">{app.t('price')}</label>
                  <input
                    id="p-price"
                    inputmode="decimal"
                    required
                    aria-describedby="p-price-hint"
                    value={form.price}
                    onInput={(e) => setForm('price', e.currentTarget.value)}
                  />
                  <span id="p-price-hint" class="muted">
                    {app.t('priceHint', { currency: current().currency })}
                  </span>
                  <label for="p-stock">{app.t('stock')}</label>
                  <input
                    id="p-stock"
                    inputmode="numeric"
                    required
                    value={form.stock}
                    onInput={(e) => setForm('stock', e.currentTarget.value)}
                  />
                  <label for="p-description">{app.t('description')}</label>
                  <textarea
                    id="p-description"
                    rows="5"
                    maxlength="5000"
                    value={form.description}
                    onInput={(e) => setForm('description', e.currentTarget.value)}
                  />
                  <div class="actions">
                    <button type="submit">{app.t('save')}</button>
                    <button
                      type="button"
                      class="secondary"
                      onClick={() =>
                        void setStatus(current().status === 'active' ? 'archive' : 'unarchive')
                      }
                    >
                      {app.t(current().status === 'active' ? 'archive' : 'unarchive')}
                    </button>
                  </div>
                </fieldset>
              </form>
            </>
          )}
        </Show>
      </Show>
    </section>
  );
}
