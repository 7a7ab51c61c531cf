import { describe, expect, it } from 'vitest';
import { needsFullRender, readCartAnswer } from './cart-forms.js';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });

describe('readCartAnswer', () => {
  it('reads the handlers’ JSON, refusals included', async () => {
    const added = { ok: true, message: 'Added to your cart.', itemCount: 3 };
    expect(await readCartAnswer(json(added))).toEqual(added);
    const refused = { ok: false, message: 'Some items in your cart need your attention.' };
    expect(await readCartAnswer(json(refused, 422))).toEqual(refused);
  });

  it('is undefined for anything else, so the form is sent the ordinary way', async () => {
    const page = new Response('<h1>403</h1>', {
      status: 403,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
    expect(await readCartAnswer(page)).toBeUndefined();
    const broken = new Response('{', { headers: { 'content-type': 'application/json' } });
    expect(await readCartAnswer(broken)).toBeUndefined();
    expect(await readCartAnswer(json({ error: 'bad gateway' }, 502))).toBeUndefined();
    expect(await readCartAnswer(json({ ok: true, message: 'x', itemCount: '3' }))).toBeUndefined();
    expect(await readCartAnswer(json({ ok: true, message: 'x', cart: {} }))).toBeUndefined();
  });
});

describe('needsFullRender', () => {
  const cart = (productIds: string[], blocked = false) => ({
    total: '€1.00',
    blocked,
    lines: productIds.map((productId) => ({
      productId,
      quantity: 1,
      maxQuantity: 9,
      lineTotal: '€1.00',
    })),
  });
  const shown = { blocked: false, productIds: ['a', 'b'] };

  it('patches when the lines shown cover the answer (a line removed included)', () => {
    expect(needsFullRender(cart(['a', 'b']), shown)).toBe(false);
    expect(needsFullRender(cart(['b']), shown)).toBe(false);
  });

  it('renders again when the cart emptied, its notices change or an unknown line came in', () => {
    expect(needsFullRender(cart([]), shown)).toBe(true);
    expect(needsFullRender(cart(['a', 'b'], true), shown)).toBe(true);
    expect(needsFullRender(cart(['a', 'c']), shown)).toBe(true);
  });
});
