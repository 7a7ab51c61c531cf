import { describe, expect, it } from 'vitest';
import { changedFields, defaultChoices, diffEdits, mergeEdits } from './merge.js';

const NAMES = ['name', 'description', 'stock', 'priceAmount'] as const;
const base = { name: 'Kettle', description: 'Steel', stock: 5, priceAmount: 2999 };

describe('a concurrent edit', () => {
  it('lists only the fields where mine and theirs differ, saying who changed each', () => {
    const mine = { ...base, name: 'Kettle XL', priceAmount: 2499 };
    const theirs = { ...base, description: 'Brushed steel', priceAmount: 2799 };
    expect(diffEdits(base, mine, theirs, NAMES)).toEqual([
      {
        field: 'name',
        base: 'Kettle',
        mine: 'Kettle XL',
        theirs: 'Kettle',
        mineChanged: true,
        theirsChanged: false,
      },
      {
        field: 'description',
        base: 'Steel',
        mine: 'Steel',
        theirs: 'Brushed steel',
        mineChanged: false,
        theirsChanged: true,
      },
      {
        field: 'priceAmount',
        base: 2999,
        mine: 2499,
        theirs: 2799,
        mineChanged: true,
        theirsChanged: true,
      },
    ]);
  });

  it('needs no choice where both made the same change', () => {
    const same = { ...base, stock: 9 };
    expect(diffEdits(base, same, same, NAMES)).toEqual([]);
  });

  it('starts with theirs where only they changed a field, mine everywhere else', () => {
    const mine = { ...base, name: 'Kettle XL', priceAmount: 2499 };
    const theirs = { ...base, description: 'Brushed steel', priceAmount: 2799 };
    expect(defaultChoices(diffEdits(base, mine, theirs, NAMES))).toEqual({
      name: 'mine',
      description: 'theirs',
      priceAmount: 'mine',
    });
  });

  it('merges field by field: nothing either side changed is lost unless I chose so', () => {
    const mine = { ...base, name: 'Kettle XL', priceAmount: 2499 };
    const theirs = { ...base, description: 'Brushed steel', priceAmount: 2799, stock: 4 };
    const choices = defaultChoices(diffEdits(base, mine, theirs, NAMES));
    expect(mergeEdits(mine, theirs, choices, NAMES)).toEqual({
      name: 'Kettle XL',
      description: 'Brushed steel',
      stock: 4,
      priceAmount: 2499,
    });
    expect(mergeEdits(mine, theirs, { ...choices, priceAmount: 'theirs' }, NAMES)).toMatchObject({
      priceAmount: 2799,
    });
    // Taking theirs everywhere gives their record back unchanged.
    const all = {
      name: 'theirs',
      description: 'theirs',
      stock: 'theirs',
      priceAmount: 'theirs',
    } as const;
    expect(mergeEdits(mine, theirs, all, NAMES)).toEqual(theirs);
  });

  it('sends only what the merge changes against their version', () => {
    const theirs = { ...base, description: 'Brushed steel' };
    const merged = { ...theirs, name: 'Kettle XL' };
    expect(changedFields(theirs, merged, NAMES)).toEqual({ name: 'Kettle XL' });
    expect(changedFields(theirs, theirs, NAMES)).toEqual({});
  });
});
