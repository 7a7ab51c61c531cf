// The demo flags `npm run dev` starts with: the landing page's headline A/B test and promo
// banner, a storefront toggle for staff, and failure-injection flags for fault tests (as the OpenTelemetry demo has).
import type { FlagSetDocument } from './domain/flag-types.js';
import { FLAGD_SCHEMA_URL } from './domain/flag-types.js';

export const DEMO_FLAGS: FlagSetDocument = {
  $schema: FLAGD_SCHEMA_URL,
  $evaluators: {
    isStaff: { ends_with: [{ var: 'email' }, '@shop.test'] },
  },
  flags: {
    'landing-headline': {
      state: 'ENABLED',
      variants: { a: 'Summer starts here', b: 'Your summer, delivered tomorrow' },
      defaultVariant: 'a',
      targeting: {
        fractional: [
          ['a', 50],
          ['b', 50],
        ],
      },
      metadata: { experiment: true, owner: 'marketing' },
    },
    'landing-promo-banner': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'on',
      metadata: { owner: 'marketing', purpose: "the landing page's promo banner (toggle it)" },
    },
    'storefront-new-product-page': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [{ $ref: 'isStaff' }, 'on', null] },
      metadata: { owner: 'storefront' },
    },
    'fault-payment-failure-rate': {
      state: 'ENABLED',
      variants: { off: 0, ten: 0.1, half: 0.5, all: 1 },
      defaultVariant: 'off',
      metadata: {
        owner: 'platform',
        purpose: 'share of checkout calls to the payment provider that fail',
      },
    },
    'fault-offer-latency-ms': {
      state: 'ENABLED',
      variants: { off: 0, slow: 500, 'very-slow': 2000 },
      defaultVariant: 'off',
      metadata: { owner: 'platform', purpose: 'latency added to offer responses' },
    },
  },
};
