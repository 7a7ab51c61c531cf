import { eventCatalog } from '@shop/eventing';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTION_MODELS } from './attribution.js';

describe('the attribution models the screen offers', () => {
  it('are exactly the models of the event catalog (what attribution accepts)', () => {
    const catalog = eventCatalog['shop.conversion.attributed'].schema.shape.model.options;
    expect([...ATTRIBUTION_MODELS]).toEqual([...catalog]);
  });
});
