import { describe, expect, it } from 'vitest';
import { loadOfferConfig } from './config.js';

describe('loadOfferConfig', () => {
  it('runs migrations on start by default only without DATABASE_URL', () => {
    expect(loadOfferConfig({}).RUN_MIGRATIONS).toBe(true);
    expect(loadOfferConfig({ DATABASE_URL: 'postgres://db/shop' }).RUN_MIGRATIONS).toBe(false);
  });

  it('lets RUN_MIGRATIONS override the default either way', () => {
    const withDb = { DATABASE_URL: 'postgres://db/shop' };
    expect(loadOfferConfig({ ...withDb, RUN_MIGRATIONS: 'true' }).RUN_MIGRATIONS).toBe(true);
    expect(loadOfferConfig({ RUN_MIGRATIONS: 'false' }).RUN_MIGRATIONS).toBe(false);
    expect(loadOfferConfig({ RUN_MIGRATIONS: '' }).RUN_MIGRATIONS).toBe(true);
    expect(() => loadOfferConfig({ RUN_MIGRATIONS: 'sometimes' })).toThrow(/RUN_MIGRATIONS/);
  });

  it('takes K_SINK as a URL and refuses anything else', () => {
    expect(loadOfferConfig({ K_SINK: 'http://broker/shop/default' }).K_SINK).toBe(
      'http://broker/shop/default',
    );
    expect(() => loadOfferConfig({ K_SINK: 'broker' })).toThrow(/K_SINK/);
  });
});
