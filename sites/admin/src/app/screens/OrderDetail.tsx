// One order: what was bought, where it goes, how it was paid, every status it went through and
// why, the refunds — and what staff may do to it now. Cancel and review name the version shown
// (If-Match): a 412 reloads the order and says so. A refund carries an Idempotency-Key made once
// per attempt, kept until the platform answered for sure, so a retry after a 502 or a lost answer
// resumes the same refund instead of paying the money back twice.
import { A, useParams } from '@solidjs/router';
import { createResource, createSignal, For, type JSX, Show } from 'solid-js';
import { type ApiAnswer, problemText } from '../api.js';
import { Loaded } from '../components/Loaded.js';
import { useApp } from '../context.js';
import { decimalOf, parseMoney } from '../money.js';
import { mayCancel, mayRefund, REFUND_REASONS, type StaffOrderDetail, shortId } from '../order.js';

interface Shown {
  order: StaffOrderDetail;
  etag: string;
}

interface RefundAnswer {
  status: 'requested' | 'sent' | 'failed';
  error: string | null;
}

/** Whether an answer leaves it open if the provider made the refund (then retry, same key). */
const uncertain = (answer: ApiAnswer<unknown>) => answer.status === 502 || answer.status >= 503;

export default function OrderDetail() {
  const app = useApp();
  const params = useParams<{ id: string }>();
  const [notice, setNotice] = createSignal<{ text: string; ok: boolean }>();
  const [busy, setBusy] = createSignal(false);
  const [detail, { refetch }] = createResource(
    () => params.id,
    async (id): Promise<Shown> => {
      const answer = await app.api.get<StaffOrderDetail>(`/api/admin/orders/${id}`);
      if (!answer.ok) throw new Error(problemText(answer));
      return { order: answer.body, etag: answer.etag ?? `W/"${answer.body.version}"` };
    },
  );

  /** Runs one action; a 412 reloads the order, anything else shows its outcome. */
  const act = async (run: () => Promise<ApiAnswer<unknown>>, done: (body: unknown) => string) => {
    setBusy(true);
    setNotice(undefined);
    try {
      const answer = await run();
      if (answer.status === 412) setNotice({ text: app.t('orderChanged'), ok: false });
      else if (!answer.ok)
        setNotice({ text: app.t('failed', { detail: problemText(answer) }), ok: false });
      else setNotice({ text: done(answer.body), ok: true });
      if (answer.ok || answer.status === 412 || answer.status === 409) await refetch();
      return answer;
    } finally {
      setBusy(false);
    }
  };

  const note = (form: HTMLFormElement) => {
    const text = String(new FormData(form).get('note') ?? '').trim();
    return text ? { note: text } : {};
  };

  const cancel = (event: SubmitEvent, current: Shown) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    void act(
      () =>
        app.api.send(
          'POST',
          `/api/admin/orders/${current.order.id}/cancel`,
          note(form),
          current.etag,
        ),
      () => app.t('cancelledNow'),
    );
  };

  const review = (resolution: 'cancel' | 'dismiss', form: HTMLFormElement, current: Shown) =>
    act(
      () =>
        app.api.send(
          'POST',
          `/api/admin/orders/${current.order.id}/review`,
          { resolution, ...note(form) },
          current.etag,
        ),
      () => app.t(resolution === 'cancel' ? 'cancelledNow' : 'reviewDismissed'),
    );

  // The key of the refund being asked for; a new one only once the last was answered for sure.
  let refundKey: { key: string; body: string } | undefined;
  const [refundError, setRefundError] = createSignal<string>();
  const refund = async (event: SubmitEvent, current: Shown) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const { currency } = current.order.refundable;
    const amount = parseMoney(String(form.get('amount') ?? ''), currency);
    if (amount === null || amount <= 0) {
      setRefundError(app.t('badPrice'));
      return;
    }
    setRefundError(undefined);
    const body = {
      amount,
      reason: String(form.get('reason')),
      ...(String(form.get('note') ?? '').trim() && { note: String(form.get('note')).trim() }),
    };
    const text = JSON.stringify(body);
    // The same refund asked again (after a 502 or a lost answer) keeps its key.
    if (refundKey?.body !== text) refundKey = { key: crypto.randomUUID(), body: text };
    const key = refundKey.key;
    const answer = await act(
      () =>
        app.api.send('POST', `/api/admin/orders/${current.order.id}/refunds`, body, undefined, {
          'idempotency-key': key,
        }),
      (made) => {
        const request = made as RefundAnswer;
        return request.status === 'failed'
          ? app.t('refundRefused', { error: request.error ?? '' })
          : app.t('refundSent');
      },
    ).catch(() => undefined);
    if (answer && !uncertain(answer)) refundKey = undefined;
  };

  return (
    <section aria-labelledby="order-title">
      <p>
        <A href="/orders">{app.t('back')}</A>
      </p>
      <Loaded resource={detail}>
        {(current) => {
          const order = () => current().order;
          const money = (m: { amount: number; currency: string }) =>
            app.money(m.amount, m.currency);
          return (
            <>
              <h1 id="order-title">{app.t('orderTitle', { id: shortId(order().id) })}</h1>
              <p class="muted">
                {app.t('orderState', {
                  version: order().version,
                  status: app.t(`status_${order().status}`),
                })}{' '}
                · <code>{order().id}</code>
              </p>
              <div aria-live="polite">
                <Show when={notice()}>
                  {(shown) => (
                    <p class={shown().ok ? 'notice ok' : 'notice warning'} role="status">
                      {shown().text}
                    </p>
                  )}
                </Show>
              </div>

              <table class="data">
                <caption>{app.t('items')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{app.t('name')}</th>
                    <th scope="col" class="num">
                      {app.t('quantity')}
                    </th>
                    <th scope="col" class="num">
                      {app.t('unitPrice')}
                    </th>
                    <th scope="col" class="num">
                      {app.t('lineTotal')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={order().items}>
                    {(item) => (
                      <tr>
                        <th scope="row">
                          <A href={`/products/${item.productId}`}>{item.name}</A>
                        </th>
                        <td class="num">{app.number(item.quantity)}</td>
                        <td class="num">{money(item.unitPrice)}</td>
                        <td class="num">{money(item.lineTotal)}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" colSpan={3}>
                      {app.t('total')}
                    </th>
                    <td class="num">{money(order().total)}</td>
                  </tr>
                </tfoot>
              </table>

              <dl class="facts">
                <dt>{app.t('customer')}</dt>
                <dd>
                  <A href={`/orders?userId=${encodeURIComponent(order().userId)}`}>
                    <code>{order().userId}</code>
                  </A>
                </dd>
                <dt>{app.t('placed')}</dt>
                <dd>{app.dateTime(order().createdAt)}</dd>
                <dt>{app.t('shippingAddress')}</dt>
                <dd>
                  <address>
                    {order().shippingAddress.name}
                    <br />
                    {order().shippingAddress.line1}
                    <Show when={order().shippingAddress.line2}>
                      <br />
                      {order().shippingAddress.line2}
                    </Show>
                    <br />
                    {order().shippingAddress.postalCode} {order().shippingAddress.city},{' '}
                    {order().shippingAddress.country}
                  </address>
                </dd>
                <dt>{app.t('providerPayment')}</dt>
                <dd>
                  <code>{order().payment.providerPaymentId ?? '—'}</code>
                </dd>
                <dt>{app.t('affiliateClick')}</dt>
                <dd>
                  <code>{order().clickId ?? '—'}</code>
                  <Show when={order().clickId && app.permissions.includes('attribution:read')}>
                    {' · '}
                    <A href={`/attribution?order=${order().id}`}>{app.t('explainAttribution')}</A>
                  </Show>
                </dd>
              </dl>

              <Show when={order().status === 'payment_review' && app.may('reviewPayment')}>
                <ActionForm title={app.t('reviewTitle')} id="review">
                  <form
                    class="stack"
                    onSubmit={(event) => {
                      event.preventDefault();
                      const submitter = event.submitter as HTMLButtonElement | null;
                      void review(
                        submitter?.value === 'cancel' ? 'cancel' : 'dismiss',
                        event.currentTarget,
                        current(),
                      );
                    }}
                  >
                    <p>
                      {app.t('reviewIntro', {
                        reason:
                          [...order().transitions].reverse().find((t) => t.to === 'payment_review')
                            ?.reason ?? '—',
                      })}
                    </p>
                    <label for="review-note">{app.t('note')}</label>
                    <textarea id="review-note" name="note" maxlength="500" rows="2" />
                    <div class="actions">
                      <button type="submit" name="resolution" value="dismiss" disabled={busy()}>
                        {app.t('reviewDismiss')}
                      </button>
                      <button type="submit" name="resolution" value="cancel" disabled={busy()}>
                        {app.t('reviewCancel')}
                      </button>
                    </div>
                  </form>
                </ActionForm>
              </Show>

              <Show
                when={
                  mayCancel(order()) &&
                  order().status !== 'payment_review' &&
                  app.may('cancelOrder')
                }
              >
                <ActionForm title={app.t('cancelTitle')} id="cancel">
                  <form class="stack" onSubmit={(event) => cancel(event, current())}>
                    <label for="cancel-note">{app.t('note')}</label>
                    <textarea id="cancel-note" name="note" maxlength="500" rows="2" />
                    <div class="actions">
                      <button type="submit" disabled={busy()}>
                        {app.t('cancelOrder')}
                      </button>
                    </div>
                  </form>
                </ActionForm>
              </Show>

              <Show when={mayRefund(order()) && app.may('refundOrder')}>
                <ActionForm title={app.t('refundTitle')} id="refund">
                  <form class="stack" onSubmit={(event) => void refund(event, current())}>
                    <p>{app.t('refundableNow', { amount: money(order().refundable) })}</p>
                    <label for="refund-amount">{app.t('refundAmount')}</label>
                    <input
                      id="refund-amount"
                      name="amount"
                      inputmode="decimal"
                      required
                      aria-describedby="refund-amount-hint"
                      aria-invalid={refundError() ? 'true' : undefined}
                      value={decimalOf(order().refundable.amount, order().refundable.currency)}
                    />
                    <small id="refund-amount-hint" class="muted">
                      {refundError() ??
                        app.t('priceHint', { currency: order().refundable.currency })}
                    </small>
                    <label for="refund-reason">{app.t('reason')}</label>
                    <select id="refund-reason" name="reason">
                      <For each={REFUND_REASONS}>
                        {(reason) => <option value={reason}>{app.t(`reason_${reason}`)}</option>}
                      </For>
                    </select>
                    <label for="refund-note">{app.t('note')}</label>
                    <textarea id="refund-note" name="note" maxlength="500" rows="2" />
                    <div class="actions">
                      <button type="submit" disabled={busy()}>
                        {app.t('refundTitle')}
                      </button>
                    </div>
                  </form>
                </ActionForm>
              </Show>

              <table class="data">
                <caption>{app.t('statusHistory')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{app.t('when')}</th>
                    <th scope="col">{app.t('from')}</th>
                    <th scope="col">{app.t('to')}</th>
                    <th scope="col">{app.t('event')}</th>
                    <th scope="col">{app.t('reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={order().transitions}>
                    {(step) => (
                      <tr>
                        <td>{app.dateTime(step.at)}</td>
                        <td>{step.from ? app.t(`status_${step.from}`) : '—'}</td>
                        <th scope="row">{app.t(`status_${step.to}`)}</th>
                        <td>
                          <code>{step.eventType ?? '—'}</code>
                        </td>
                        <td class="wrap">{step.reason ?? ''}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>

              <Show when={order().refundRequests.length > 0}>
                <table class="data">
                  <caption>{app.t('refundRequests')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{app.t('when')}</th>
                      <th scope="col" class="num">
                        {app.t('refundAmount')}
                      </th>
                      <th scope="col">{app.t('reason')}</th>
                      <th scope="col">{app.t('requestedBy')}</th>
                      <th scope="col">{app.t('status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={order().refundRequests}>
                      {(request) => (
                        <tr>
                          <td>{app.dateTime(request.createdAt)}</td>
                          <td class="num">{money(request.amount)}</td>
                          <td class="wrap">
                            {app.t(`reason_${request.reason}`)}
                            {request.note ? ` — ${request.note}` : ''}
                          </td>
                          <td>
                            <code>{shortId(request.requestedBy)}</code>
                          </td>
                          <td>
                            {app.t(`request_${request.status}`)}
                            {request.error ? `: ${request.error}` : ''}
                          </td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </Show>

              <Show when={order().refunds.length > 0}>
                <table class="data">
                  <caption>{app.t('providerRefunds')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{app.t('when')}</th>
                      <th scope="col" class="num">
                        {app.t('refundAmount')}
                      </th>
                      <th scope="col">{app.t('status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={order().refunds}>
                      {(made) => (
                        <tr>
                          <td>{app.dateTime(made.at)}</td>
                          <td class="num">{money(made.amount)}</td>
                          <td class="wrap">
                            {made.counted
                              ? app.t('counted')
                              : app.t('notCounted', { reason: made.reason ?? '—' })}
                          </td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </Show>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

/** One action on the order, as a titled region holding its form. */
function ActionForm(props: { title: string; id: string; children: JSX.Element }) {
  return (
    <section class="action" aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      {props.children}
    </section>
  );
}
