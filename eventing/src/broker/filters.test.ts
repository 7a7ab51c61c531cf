import { describe, expect, it } from 'vitest';
import type { BrokerEvent } from './cloudevent.js';
import {
  compileTriggerFilter,
  isoInstant,
  type TriggerFilterSpec,
  validateTriggerFilters,
} from './filters.js';

function event(attributes: Record<string, string>): BrokerEvent {
  return {
    attributes: { specversion: '1.0', id: '1', source: '/shop/offer', ...attributes },
    data: null,
  };
}

// Examples of https://knative.dev/docs/eventing/triggers/ (legacy filter) and
// https://knative.dev/docs/eventing/features/new-trigger-filters/ (dialects), plus the
// AttributesFilter rules of the data plane: empty wanted values are ignored, a missing
// attribute compares as "", matching is case-sensitive, time compares as ISO_INSTANT.
const push = event({ type: 'com.github.push', subject: 'https://github.com/cloudevents/spec' });
const pull = event({ type: 'com.github.pull.created', subject: 'https://github.com/other' });
const priced = event({
  type: 'shop.offer.price_changed',
  myextension: 'my-extension-value',
  time: '2024-05-01T12:00:00+02:00',
});

const cases: [name: string, spec: TriggerFilterSpec, event: BrokerEvent, matches: boolean][] = [
  ['no filter passes everything', {}, push, true],
  ['empty attributes pass everything', { filter: { attributes: {} } }, push, true],
  ['exact type', { filter: { attributes: { type: 'shop.offer.price_changed' } } }, priced, true],
  [
    'exact type, other event',
    { filter: { attributes: { type: 'shop.offer.price_changed' } } },
    push,
    false,
  ],
  [
    'docs example: type and extension both match',
    {
      filter: {
        attributes: { type: 'shop.offer.price_changed', myextension: 'my-extension-value' },
      },
    },
    priced,
    true,
  ],
  [
    'missing extension compares as ""',
    { filter: { attributes: { myextension: 'x' } } },
    push,
    false,
  ],
  [
    'empty wanted value is ignored',
    { filter: { attributes: { type: '', subject: '' } } },
    push,
    true,
  ],
  ['case-sensitive', { filter: { attributes: { type: 'COM.GITHUB.PUSH' } } }, push, false],
  ['specversion', { filter: { attributes: { specversion: '1.0' } } }, push, true],
  ['source', { filter: { attributes: { source: '/shop/offer' } } }, push, true],
  [
    'time as ISO_INSTANT',
    { filter: { attributes: { time: '2024-05-01T10:00:00Z' } } },
    priced,
    true,
  ],
  [
    'time with offset text',
    { filter: { attributes: { time: '2024-05-01T12:00:00+02:00' } } },
    priced,
    false,
  ],
  ['docs: exact', { filters: [{ exact: { type: 'com.github.push' } }] }, push, true],
  ['docs: exact, other type', { filters: [{ exact: { type: 'com.github.push' } }] }, pull, false],
  ['docs: prefix', { filters: [{ prefix: { type: 'com.github.' } }] }, pull, true],
  ['prefix of missing attribute', { filters: [{ prefix: { subject: 'x' } }] }, priced, false],
  ['docs: suffix', { filters: [{ suffix: { type: '.created' } }] }, pull, true],
  ['suffix, other type', { filters: [{ suffix: { type: '.created' } }] }, push, false],
  [
    'docs: all',
    {
      filters: [
        {
          all: [
            { exact: { type: 'com.github.push' } },
            { exact: { subject: 'https://github.com/cloudevents/spec' } },
          ],
        },
      ],
    },
    push,
    true,
  ],
  [
    'all fails when one fails',
    {
      filters: [
        {
          all: [
            { exact: { type: 'com.github.push' } },
            { exact: { subject: 'https://github.com/cloudevents/spec' } },
          ],
        },
      ],
    },
    pull,
    false,
  ],
  [
    'docs: any',
    {
      filters: [
        {
          any: [
            { exact: { type: 'com.github.push' } },
            { exact: { subject: 'https://github.com/other' } },
          ],
        },
      ],
    },
    pull,
    true,
  ],
  [
    'any fails when none matches',
    { filters: [{ any: [{ exact: { type: 'a' } }, { prefix: { type: 'b' } }] }] },
    pull,
    false,
  ],
  ['docs: not', { filters: [{ not: { exact: { type: 'com.github.push' } } }] }, push, false],
  ['not, other type', { filters: [{ not: { exact: { type: 'com.github.push' } } }] }, pull, true],
  [
    'items of filters are ANDed',
    { filters: [{ prefix: { type: 'com.github.' } }, { suffix: { type: '.push' } }] },
    pull,
    false,
  ],
  [
    'nested any inside all with not',
    {
      filters: [
        {
          all: [
            { any: [{ prefix: { type: 'com.github.' } }, { prefix: { type: 'shop.' } }] },
            { not: { suffix: { type: '.created' } } },
          ],
        },
      ],
    },
    priced,
    true,
  ],
  [
    'filters win over filter',
    {
      filter: { attributes: { type: 'com.github.push' } },
      filters: [{ exact: { type: 'com.github.pull.created' } }],
    },
    pull,
    true,
  ],
  [
    'filters win over filter (the other way)',
    {
      filter: { attributes: { type: 'com.github.push' } },
      filters: [{ exact: { type: 'com.github.pull.created' } }],
    },
    push,
    false,
  ],
  [
    'empty filters fall back to filter',
    { filter: { attributes: { type: 'com.github.push' } }, filters: [] },
    pull,
    false,
  ],
  ['an item without dialect matches', { filters: [{}] }, push, true],
  ['exact with an empty value matches', { filters: [{ exact: { subject: '' } }] }, priced, true],
  [
    'an extension in a dialect',
    { filters: [{ exact: { myextension: 'my-extension-value' } }] },
    priced,
    true,
  ],
];

describe('compileTriggerFilter', () => {
  it.each(cases)('%s', (_name, spec, given, matches) => {
    expect(compileTriggerFilter(spec)(given)).toBe(matches);
  });
});

describe('isoInstant', () => {
  it.each([
    ['2024-05-01T12:00:00+02:00', '2024-05-01T10:00:00Z'],
    ['2024-05-01T10:00:00.000Z', '2024-05-01T10:00:00Z'],
    ['2024-05-01T10:00:00.5Z', '2024-05-01T10:00:00.500Z'],
    ['2024-05-01T10:00:00.1234Z', '2024-05-01T10:00:00.123400Z'],
    ['2024-05-01t10:00:00.123456789z', '2024-05-01T10:00:00.123456789Z'],
    ['not a time', 'not a time'],
  ])('formats %s as Java ISO_INSTANT %s', (input, expected) => {
    expect(isoInstant(input)).toBe(expected);
  });
});

describe('validateTriggerFilters', () => {
  it('accepts the documented examples', () => {
    expect(
      validateTriggerFilters({
        filter: { attributes: { type: 'dev.knative.foo.bar', myextension: 'my-extension-value' } },
        filters: [
          { all: [{ exact: { type: 'com.github.push' } }, { exact: { subject: 'x' } }] },
          { not: { prefix: { type: 'com.github.' } } },
        ],
      }),
    ).toEqual([]);
  });

  it.each([
    [
      { filters: [{ exact: { type: 'a' }, prefix: { type: 'b' } }] },
      'spec.filters[0]: multiple dialects found (exact, prefix)',
    ],
    [
      { filters: [{ exact: { type: 'a', source: 'b' } }] },
      'spec.filters[0].exact: multiple items found',
    ],
    [
      { filters: [{ suffix: { Type: 'a' } }] },
      'spec.filters[0].suffix.Type: attribute name must start with a letter',
    ],
    [{ filter: { attributes: { '1type': 'a' } } }, 'spec.filter.attributes.1type'],
    [
      { filters: [{ cesql: "type = 'a'" }] },
      'spec.filters[0].cesql: CloudEvents SQL filters are not supported',
    ],
    [
      { filters: [{ any: [{ not: { exact: { a: '1' }, prefix: { b: '2' } } }] }] },
      'spec.filters[0].any[0].not: multiple dialects',
    ],
  ])('refuses %j', (spec, message) => {
    const errors = validateTriggerFilters(spec as TriggerFilterSpec);
    expect(errors.join('\n')).toContain(message);
  });
});
