import { describe, expect, it } from 'vitest';
import { slugify } from './slugify.js';

describe('slugify', () => {
  it('makes lowercase kebab-case from a name', () => {
    expect(slugify('Cast Iron Skillet 26 cm')).toBe('cast-iron-skillet-26-cm');
  });

  it('drops accents and collapses punctuation into single hyphens', () => {
    expect(slugify("  Crème Brûlée Torch — Chef's 2-pack!  ")).toBe(
      'creme-brulee-torch-chef-s-2-pack',
    );
  });

  it('returns an empty slug when nothing usable is left', () => {
    expect(slugify('!!! ???')).toBe('');
    expect(slugify('日本語')).toBe('');
  });

  it('caps the length at 100 without a trailing hyphen', () => {
    const slug = slugify(`${'a'.repeat(99)} b`);
    expect(slug.length).toBeLessThanOrEqual(100);
    expect(slug.endsWith('-')).toBe(false);
  });

  it('refuses to make a slug that looks like a uuid', () => {
    expect(slugify('0190A4B2-1111-7222-8333-444455556666')).toBe('');
  });
});
