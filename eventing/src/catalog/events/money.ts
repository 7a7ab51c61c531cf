// Money in event data: the kit's moneySchema, with the platform's bound on any amount
// (MAX_AMOUNT, 10^12 minor units), so a consumer's sums never leave the safe integers.
import { MAX_AMOUNT } from '@shop/shared';
import { z } from 'zod';

/**
 * An amount in integer minor units, 0–MAX_AMOUNT, and its ISO 4217 code; the `Money` of the
 * catalog's JSON Schemas.
 * @example schema: z.object({ amount: eventMoney })
 */
export const eventMoney = z
  .object({
    amount: z.int().nonnegative().max(MAX_AMOUNT),
    currency: z.string().regex(/^[A-Z]{3}$/),
  })
  .strict()
  .meta({
    id: 'Money',
    description: `An amount in integer minor units (e.g. cents), at most ${MAX_AMOUNT}, and its ISO 4217 currency.`,
  });
