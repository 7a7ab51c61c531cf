// Commission: a rate in basis points per campaign or affiliate, set by staff.

/** Staff-set rates in basis points (1 bp = 0.01 %), by campaign and by affiliate. */
export interface CommissionRates {
  campaign: ReadonlyMap<string, number>;
  affiliate: ReadonlyMap<string, number>;
}

export const NO_RATES: CommissionRates = { campaign: new Map(), affiliate: new Map() };

/**
 * The rate of a touch: its campaign's if staff set one (a campaign beats an affiliate), else its
 * affiliate's, else 0.
 * @example rateFor({ affiliateId: 'a', campaign: 'summer' }, rates) // 1500
 */
export function rateFor(
  touch: { affiliateId: string | null; campaign: string | null },
  rates: CommissionRates,
): number {
  if (touch.campaign !== null) {
    const rate = rates.campaign.get(touch.campaign);
    if (rate !== undefined) return rate;
  }
  if (touch.affiliateId !== null) {
    const rate = rates.affiliate.get(touch.affiliateId);
    if (rate !== undefined) return rate;
  }
  return 0;
}

/**
 * `credit` × `basisPoints` / 10,000 in minor units, rounded half up (exact, in BigInt). Monotone
 * in the credit, so the commission of a part never exceeds the commission of the whole.
 * @example commissionFor(2857, 1000) // 286
 */
export function commissionFor(credit: number, basisPoints: number): number {
  if (!Number.isSafeInteger(credit) || credit < 0) throw new RangeError(`Bad credit ${credit}.`);
  if (!Number.isInteger(basisPoints) || basisPoints < 0 || basisPoints > 10_000) {
    throw new RangeError(`Bad rate ${basisPoints} bp.`);
  }
  return Number((BigInt(credit) * BigInt(basisPoints) + 5_000n) / 10_000n);
}
