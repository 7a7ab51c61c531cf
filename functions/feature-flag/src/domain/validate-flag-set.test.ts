import { describe, expect, it } from 'vitest';
import { DEMO_FLAGS } from '../demo-flags.js';
import { validateFlagSet } from './validate-flag-set.js';

const flag = (definition: Record<string, unknown>) => ({ flags: { 'new-checkout': definition } });
const errorsOf = (input: unknown) => {
  const result = validateFlagSet(input);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
};

describe('validateFlagSet', () => {
  it('accepts flagd documents with $evaluators, metadata and every variant type', () => {
    expect(validateFlagSet(DEMO_FLAGS).ok).toBe(true);
    const objects = flag({
      state: 'DISABLED',
      variants: { small: { size: 1 }, large: { size: 9 } },
      defaultVariant: null,
      metadata: { owner: 'x', ticket: 12, experiment: false },
    });
    expect(validateFlagSet({ ...objects, metadata: { flagSetId: 'shop' } }).ok).toBe(true);
  });

  it('names the flag and the path of variants of mixed types', () => {
    expect(
      errorsOf(flag({ state: 'ENABLED', variants: { on: true, off: 'no' }, defaultVariant: 'on' })),
    ).toEqual([
      {
        flag: 'new-checkout',
        path: '/flags/new-checkout/variants',
        message: expect.stringContaining('on: boolean, off: string'),
      },
    ]);
  });

  it('refuses a state flagd does not know, naming the allowed ones', () => {
    const [error] = errorsOf(flag({ state: 'ON', variants: { on: true }, defaultVariant: 'on' }));
    expect(error).toMatchObject({ flag: 'new-checkout', path: '/flags/new-checkout/state' });
    expect(error?.message).toContain('ENABLED');
  });

  it('refuses a default variant that is not a variant', () => {
    expect(
      errorsOf(flag({ state: 'ENABLED', variants: { on: true }, defaultVariant: 'of' })),
    ).toEqual([
      {
        flag: 'new-checkout',
        path: '/flags/new-checkout/defaultVariant',
        message: 'the default variant "of" is not one of the variants (on)',
      },
    ]);
  });

  it('refuses a $ref to no evaluator, with the path of the reference', () => {
    const errors = errorsOf({
      $evaluators: { staff: { ends_with: [{ var: 'email' }, '@shop.test'] } },
      flags: {
        a: {
          state: 'ENABLED',
          variants: { on: true, off: false },
          defaultVariant: 'off',
          targeting: { if: [{ $ref: 'staf' }, 'on', null] },
        },
      },
    });
    expect(errors).toEqual([
      {
        flag: 'a',
        path: '/flags/a/targeting/if/0/$ref',
        message: expect.stringContaining('"staf"'),
      },
    ]);
  });

  it('refuses an operation JsonLogic and flagd do not have', () => {
    const [error] = errorsOf(
      flag({
        state: 'ENABLED',
        variants: { on: true },
        defaultVariant: 'on',
        targeting: { frational: [['on', 1]] },
      }),
    );
    expect(error).toMatchObject({ flag: 'new-checkout', path: '/flags/new-checkout/targeting' });
    expect(error?.message).toContain('frational');
  });

  it('refuses documents that are not flag sets, and bad keys', () => {
    expect(errorsOf([])[0]?.message).toContain('JSON object');
    expect(errorsOf({})[0]?.message).toContain('flags');
    expect(
      errorsOf({
        flags: { 'a b': { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on' } },
      })[0],
    ).toMatchObject({
      flag: 'a b',
      path: '/flags/a b',
    });
  });

  it('refuses a document nested past the depth limit instead of recursing for ever', () => {
    let deep: unknown = 'on';
    for (let i = 0; i < 40; i += 1) deep = { if: [true, deep, null] };
    const [error] = errorsOf(
      flag({ state: 'ENABLED', variants: { on: true }, defaultVariant: 'on', targeting: deep }),
    );
    expect(error?.message).toContain('deeper');
  });
});
