// A flag set with one flag of every kind the OFREP tests evaluate.
import type { FlagSetDocument } from '../domain/flag-types.js';

export const OFREP_FLAGS: FlagSetDocument = {
  $schema: 'https://flagd.dev/schema/v0/flags.json',
  metadata: { flagSetId: 'shop-test' },
  flags: {
    'bool-flag': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [{ ends_with: [{ var: 'email' }, '@shop.test'] }, 'on', null] },
      metadata: { owner: 'storefront' },
    },
    'string-flag': {
      state: 'ENABLED',
      variants: { a: 'Summer starts here', b: 'Your summer, delivered' },
      defaultVariant: 'a',
      targeting: {
        fractional: [
          ['a', 50],
          ['b', 50],
        ],
      },
      metadata: { experiment: true },
    },
    'number-flag': { state: 'ENABLED', variants: { off: 0, ten: 0.1 }, defaultVariant: 'ten' },
    'object-flag': {
      state: 'ENABLED',
      variants: { small: { rows: 2, theme: 'light' }, large: { rows: 6, theme: 'dark' } },
      defaultVariant: 'small',
      targeting: { if: [{ sem_ver: [{ var: 'appVersion' }, '>=', '2.0.0'] }, 'large', 'small'] },
    },
    'disabled-flag': {
      state: 'DISABLED',
      variants: { on: true, off: false },
      defaultVariant: 'on',
    },
    'no-default-flag': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: null,
      targeting: { if: [{ '==': [{ var: 'tier' }, 'gold'] }, 'on', null] },
    },
    'broken-variant-flag': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [true, 'gone', 'off'] },
    },
  },
};
