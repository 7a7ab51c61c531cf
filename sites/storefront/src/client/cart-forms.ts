// With JavaScript, the cart forms (`data-cart-form`: `add` on product pages, `update` on the
// cart page) post with fetch and the page updates in place: the header count, a notice in the
// page's live region (`#status`), and on the cart page the line, its total and the cart total.
// The forms stay plain forms: the same fields and CSRF token, only `Accept: application/json`
// added; an answer that is not the handlers' JSON (a refusal page, a proxy's error) sends the
// form the ordinary way. No answer at all (no network, a timeout) may still have added to the
// cart, so an add is never sent twice: the page is loaded again and shows the cart as it is;
// a quantity update (it sets the quantity, so sending it again changes nothing) is re-sent.
import type { CartAnswerJson } from '../server/cart-answer.js';

/** What the page does with an answer besides its own markup. */
export interface CartFormHooks {
  onCount(count: number): void;
}

/** A fetch that takes longer than this counts as no answer. */
const TIMEOUT_MS = 10_000;
/** A quantity field posts this long after its last change (spinner clicks come in bursts). */
const CHANGE_DELAY_MS = 300;

/**
 * The JSON of a cart form's answer, or undefined when the response is not one.
 * @example await readCartAnswer(await fetch('/cart/add', init)) // { ok: true, message: '…' }
 */
export async function readCartAnswer(response: Response): Promise<CartAnswerJson | undefined> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json')) return undefined;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const answer = body as Partial<CartAnswerJson>;
  if (typeof answer.ok !== 'boolean' || typeof answer.message !== 'string') return undefined;
  if (answer.itemCount !== undefined && !Number.isSafeInteger(answer.itemCount)) return undefined;
  if (answer.cart !== undefined && !Array.isArray(answer.cart?.lines)) return undefined;
  return answer as CartAnswerJson;
}

/**
 * Whether the cart page must be rendered again rather than patched: it emptied, a line's notice
 * or the checkout button changes, or a line it does not show came in (another tab).
 */
export function needsFullRender(
  cart: NonNullable<CartAnswerJson['cart']>,
  shown: { blocked: boolean; productIds: string[] },
): boolean {
  if (cart.lines.length === 0 || cart.blocked !== shown.blocked) return true;
  return cart.lines.some((line) => !shown.productIds.includes(line.productId));
}

/** Shows `message` in the page's polite live region (the one the server's notices use). */
function announce(root: Document, message: string, ok: boolean): void {
  const region = root.getElementById('status');
  if (!region) return;
  const notice = root.createElement('p');
  notice.className = ok ? 'notice' : 'notice warning';
  notice.textContent = message;
  region.replaceChildren(notice);
}

/** The cart table brought to `cart`, row by row; a full render when patching is not enough. */
function patchCart(root: Document, cart: NonNullable<CartAnswerJson['cart']>): void {
  const table = root.querySelector<HTMLElement>('[data-cart]');
  if (!table) return;
  const rows = [...table.querySelectorAll<HTMLElement>('[data-line]')];
  const shown = {
    blocked: table.dataset.blocked === 'true',
    productIds: rows.map((row) => row.dataset.line ?? ''),
  };
  if (needsFullRender(cart, shown)) {
    root.location.reload();
    return;
  }
  const lines = new Map(cart.lines.map((line) => [line.productId, line]));
  for (const row of rows) {
    const line = lines.get(row.dataset.line ?? '');
    if (!line) {
      // Focus inside a row that goes (its remove button) moves to the main region.
      if (row.contains(root.activeElement)) root.getElementById('main')?.focus();
      row.remove();
      continue;
    }
    const input = row.querySelector<HTMLInputElement>('input[name="quantity"]');
    if (input) {
      input.value = String(line.quantity);
      input.defaultValue = input.value;
      input.max = String(line.maxQuantity);
    }
    const total = row.querySelector('[data-line-total]');
    if (total) total.textContent = line.lineTotal ?? '—';
  }
  const total = table.querySelector('[data-cart-total]');
  if (total) total.textContent = cart.total;
}

/**
 * Makes the cart forms of `root` post with fetch; returns the function that stops it.
 * @example onCleanup(enhanceCartForms(document, { onCount: setCount }))
 */
export function enhanceCartForms(root: Document, hooks: CartFormHooks): () => void {
  // Forms sent the ordinary way after a failed fetch: their next submit event is left alone.
  const plain = new WeakSet<HTMLFormElement>();
  const latest = new WeakMap<HTMLFormElement, number>();
  const timers = new WeakMap<HTMLFormElement, ReturnType<typeof setTimeout>>();
  let sent = 0;

  async function send(form: HTMLFormElement, submitter: HTMLElement | null): Promise<void> {
    const seq = ++sent;
    latest.set(form, seq);
    const body = new URLSearchParams();
    for (const [name, value] of new FormData(form, submitter)) {
      if (typeof value === 'string') body.append(name, value);
    }
    let answer: CartAnswerJson | undefined;
    let answered = false;
    form.setAttribute('aria-busy', 'true');
    try {
      // Not `form.action`: the update form's buttons are named `action` and shadow it.
      const response = await fetch(form.getAttribute('action') ?? root.location.href, {
        method: 'POST',
        body,
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      answered = true;
      answer = await readCartAnswer(response);
    } catch {
      answer = undefined;
    } finally {
      form.removeAttribute('aria-busy');
    }
    if (!answer) {
      if (!answered && form.dataset.cartForm === 'add') {
        root.location.reload();
        return;
      }
      plain.add(form);
      form.requestSubmit(submitter);
      return;
    }
    // A later change of the same form is on its way; its answer is the one to show.
    if (latest.get(form) !== seq) return;
    announce(root, answer.message, answer.ok);
    if (answer.itemCount !== undefined) hooks.onCount(answer.itemCount);
    if (form.dataset.cartForm !== 'update') return;
    if (answer.cart) {
      patchCart(root, answer.cart);
    } else {
      // Refused (not enough stock): the field shows the quantity the cart still holds.
      const input = form.querySelector<HTMLInputElement>('input[name="quantity"]');
      if (input) input.value = input.defaultValue;
    }
  }

  const onSubmit = (event: SubmitEvent) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.cartForm || plain.has(form)) return;
    event.preventDefault();
    void send(form, event.submitter);
  };
  const onChange = (event: Event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.name !== 'quantity') return;
    const form = input.form;
    if (form?.dataset.cartForm !== 'update') return;
    clearTimeout(timers.get(form));
    const update = form.querySelector<HTMLButtonElement>('button[value="update"]');
    timers.set(
      form,
      setTimeout(() => form.requestSubmit(update), CHANGE_DELAY_MS),
    );
  };
  root.addEventListener('submit', onSubmit);
  root.addEventListener('change', onChange);
  return () => {
    root.removeEventListener('submit', onSubmit);
    root.removeEventListener('change', onChange);
  };
}
