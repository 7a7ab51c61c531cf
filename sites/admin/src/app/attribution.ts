// Attribution as the attribution function's staff routes give it: the models a period can be
// re-scored under (the catalog's shop.conversion.attributed models; attribution.test.ts keeps the
// two lists equal), a sale's explanation and the totals per affiliate or campaign.

export const ATTRIBUTION_MODELS = [
  'last_click',
  'first_click',
  'linear',
  'position_based',
  'time_decay',
  'data_driven',
] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

export interface Explanation {
  orderId: string;
  status: 'attributed' | 'unattributed' | 'mismatched';
  mismatchReason: string | null;
  model: string;
  rule: string;
  revenue: { amount: number; currency: string };
  commission: number;
  refunded: number;
  creditReversed: number;
  commissionReversed: number;
  purchasedAt: string;
  paidOutAt: string | null;
  frozenReason: string | null;
  summary: string;
  credits: {
    touchpointId: string;
    kind: 'click' | 'campaign';
    affiliateId: string | null;
    campaign: string | null;
    touchedAt: string;
    credit: number;
    sharePercent: number;
    commissionRateBasisPoints: number;
    commission: number;
    explanation: string;
  }[];
}

export interface Totals {
  items: {
    key: string | null;
    currency: string;
    conversions: number;
    credit: number;
    commission: number;
    creditReversed: number;
    commissionReversed: number;
    netCommission: number;
  }[];
}

export interface RescoreJob {
  jobId: string;
  model: AttributionModel;
  status: 'running' | 'done' | 'failed';
  progress: number;
  processed: number;
  total: number;
  error: string | null;
  totals: {
    affiliateId: string | null;
    campaign: string | null;
    currency: string;
    credit: number;
    commission: number;
  }[];
}
