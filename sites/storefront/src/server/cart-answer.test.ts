import { describe, expect, it } from 'vitest';
import { answerCartForm, cartAnswerJson, wantsJson } from './cart-answer.js';
import type { Answer, Cart, CartLine, Problem } from './gateway-client.js';
import { localePath, translate } from './i18n.js';
import { formatMoney } from './money.js';
import type { ShopContext } from './shop-context.js';

const en = {
  t: (key: Parameters<typeof translate>[1]) => translate('en', key),
  money: (money: Parameters<typeof formatMoney>[0]) => formatMoney(money, 'en-GB'),
};

function line(overrides: Partial<CartLine> = {}): CartLine {
  return {
    productId: 'p1',
    slug: 'kettle',
    name: 'Kettle',
    quantity: 2,
    unitPrice: { amount: 1999, currency: 'EUR' },
    priceWhenAdded: { amount: 1999, currency: 'EUR' },
    priceChanged: false,
    lineTotal: { amount: 3998, currency: 'EUR' },
    available: 10,
    inStock: true,
    maxQuantity: 10,
    purchasable: true,
    ...overrides,
  };
}

function answer(status: number, body: Partial<Cart & Problem>): Answer<Cart & Problem> {
  return { status, ok: status < 300, body: body as Cart & Problem, headers: new Headers() };
}

describe('the JSON answer of the cart forms', () => {
  it('tells a fetch the count, the notice, every line and the total, formatted', () => {
    const cart = {
      items: [line(), line({ productId: 'p2', quantity: 1, lineTotal: null, maxQuantity: 0 })],
      itemCount: 3,
      total: { amount: 3998, currency: 'EUR' },
    };
    expect(cartAnswerJson(answer(200, cart), 'added', en)).toEqual({
      status: 200,
      body: {
        ok: true,
        message: 'Added to your cart.',
        itemCount: 3,
        cart: {
          total: '€39.98',
          blocked: false,
          lines: [
            { productId: 'p1', quantity: 2, maxQuantity: 10, lineTotal: '€39.98' },
            // The field never refuses what the line already holds.
            { productId: 'p2', quantity: 1, maxQuantity: 1, lineTotal: null },
          ],
        },
      },
    });
  });

  it('marks the cart blocked when a line is short of stock or no longer for sale', () => {
    const total = { amount: 0, currency: 'EUR' };
    const short = answer(200, { items: [line({ inStock: false })], itemCount: 2, total });
    const gone = answer(200, { items: [line({ purchasable: false })], itemCount: 2, total });
    expect(cartAnswerJson(short, 'cartUpdated', en).body.cart?.blocked).toBe(true);
    expect(cartAnswerJson(gone, 'cartUpdated', en).body.cart?.blocked).toBe(true);
  });

  it('answers a refused write with its status and notice and no count, so the page keeps its own', () => {
    expect(cartAnswerJson(answer(422, { title: 'Not enough stock' }), 'added', en)).toEqual({
      status: 422,
      body: { ok: false, message: 'Some items in your cart need your attention.' },
    });
    expect(cartAnswerJson(answer(404, {}), 'added', en).body.message).toBe(
      'No longer for sale; remove it to check out.',
    );
    expect(cartAnswerJson(answer(429, {}), 'cartUpdated', en).body.message).toBe(
      'Too many attempts; try again in a moment.',
    );
  });

  it('answers an invalid form with 400 in the shopper’s language', () => {
    const de = {
      t: (key: Parameters<typeof translate>[1]) => translate('de', key),
      money: en.money,
    };
    expect(cartAnswerJson(undefined, 'added', de)).toEqual({
      status: 400,
      body: { ok: false, message: 'Bitte prüfen Sie die markierten Felder.' },
    });
  });
});

describe('wantsJson', () => {
  it('is true only when the request accepts application/json', () => {
    expect(wantsJson(new Headers({ accept: 'application/json' }))).toBe(true);
    expect(wantsJson(new Headers({ accept: 'text/html, Application/JSON;q=0.9' }))).toBe(true);
    expect(wantsJson(new Headers({ accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }))).toBe(
      false,
    );
    expect(wantsJson(new Headers())).toBe(false);
  });
});

describe('answerCartForm', () => {
  /** Just enough of a request's context: the form, the texts and the session's changes. */
  function shopWith(form: Record<string, string>) {
    const changes: Record<string, unknown>[] = [];
    const data = new FormData();
    for (const [name, value] of Object.entries(form)) data.append(name, value);
    const shop = {
      ...en,
      form: data,
      session: { id: 's1' },
      href: (path: string) => localePath('en', path),
      runtime: {
        sessions: { change: async (_id: string, fields: object) => changes.push({ ...fields }) },
      },
    } as unknown as ShopContext;
    return { shop, changes };
  }
  const post = (accept?: string) =>
    new Request('http://shop.test/cart/add', {
      method: 'POST',
      headers: accept ? { accept } : {},
    });
  const added = answer(200, {
    items: [line()],
    itemCount: 2,
    total: { amount: 3998, currency: 'EUR' },
  });

  it('keeps the 303 back to the form’s page, with the notice kept for it, for a plain form', async () => {
    const { shop, changes } = shopWith({ return: '/p/kettle' });
    const response = await answerCartForm(shop, post('text/html'), added, 'added', '/cart');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/p/kettle');
    expect(changes).toEqual([{ flash: 'added' }]);
  });

  it('answers a fetch with JSON and keeps no notice for a later page', async () => {
    const { shop, changes } = shopWith({ return: '/p/kettle' });
    const response = await answerCartForm(shop, post('application/json'), added, 'added', '/cart');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ ok: true, itemCount: 2 });
    expect(changes).toEqual([]);
  });

  it('sends an invalid plain form to the fallback page with the form notice', async () => {
    const { shop, changes } = shopWith({});
    const response = await answerCartForm(shop, post(), undefined, 'added', '/cart');
    expect(response.headers.get('location')).toBe('/cart');
    expect(changes).toEqual([{ flash: 'formInvalid' }]);
  });
});
