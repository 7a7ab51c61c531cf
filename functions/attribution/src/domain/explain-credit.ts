// A sale explained to staff in words: who got what share, and why.
import type { Model } from './touchpoint.js';

const MODEL_RULE: Record<Model, string> = {
  last_click: 'last click: the last touch before the purchase gets all the credit',
  first_click: 'first click: the first touch in the lookback window gets all the credit',
  linear: 'linear: every touch gets an equal share',
  position_based:
    'position-based: 40 % to the first touch, 40 % to the last, 20 % spread over the middle ones',
  time_decay: 'time decay: a touch weighs 2^(−age/7 days), so a touch a week older counts half',
  data_driven:
    "data-driven: each channel's share of the Markov-chain removal effects over the period's paths",
};

export interface ExplainedTouch {
  position: number;
  count: number;
  who: string;
  credit: number;
  amount: number;
  ageMs: number;
}

const DAY_MS = 86_400_000;

/** The model's rule in one sentence. */
export function describeModel(model: Model): string {
  return MODEL_RULE[model];
}

/**
 * "affiliate X got 40 % (40.00 EUR) because it was the first of 3 touches, 9 days before
 * purchase".
 * @example explainTouch({ position: 0, count: 3, who: 'affiliate X', credit: 4000, amount: 10000, ageMs: 9 * 86_400_000 }, 'EUR')
 */
export function explainTouch(touch: ExplainedTouch, currency: string, model: Model): string {
  const share = touch.amount === 0 ? 0 : (touch.credit / touch.amount) * 100;
  const percent = Number.isInteger(share) ? `${share}` : share.toFixed(2);
  const place =
    touch.count === 1
      ? 'the only touch'
      : touch.position === 0
        ? `the first of ${touch.count} touches`
        : touch.position === touch.count - 1
          ? `the last of ${touch.count} touches`
          : `touch ${touch.position + 1} of ${touch.count}`;
  const days = Math.floor(touch.ageMs / DAY_MS);
  const hours = Math.floor(touch.ageMs / 3_600_000);
  const when =
    days >= 1
      ? `${days} day${days === 1 ? '' : 's'} before purchase`
      : hours >= 1
        ? `${hours} hour${hours === 1 ? '' : 's'} before purchase`
        : 'less than an hour before purchase';
  return `${touch.who} got ${percent} % (${touch.credit} minor units of ${currency}) under ${model.replace('_', '-')} because it was ${place}, ${when}`;
}
