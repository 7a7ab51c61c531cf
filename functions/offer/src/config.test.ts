import { describe, expect, it } from 'vitest';
import { offer } from './main.js';

describe('offer.loadConfig', () => {
  it('runs migrations on start by default only without DATABASE_URL', () => {
    expect(offer.loadConfig({}).RUN_MIGRATIONS).toBe(true);
    expect(offer.loadConfig({ DATABASE_URL: 'postgres://db/shop' }).RUN_MIGRATIONS).toBe(false);
  });

  it('lets RUN_MIGRATIONS override the default either way', () => {
    const withDb = { DATABASE_URL: 'postgres://db/shop' };
    expect(offer.loadConfig({ ...withDb, RUN_MIGRATIONS: 'true' }).RUN_MIGRATIONS).toBe(true);
    expect(offer.loadConfig({ RUN_MIGRATIONS: 'false' }).RUN_MIGRATIONS).toBe(false);
    expect(offer.loadConfig({ RUN_MIGRATIONS: '' }).RUN_MIGRATIONS).toBe(true);
    expect(() => offer.loadConfig({ RUN_MIGRATIONS: 'sometimes' })).toThrow(/RUN_MIGRATIONS/);
  });

  it('takes K_SINK as a URL and refuses anything else', () => {
    expect(offer.loadConfig({ K_SINK: 'http://broker/shop/default' }).K_SINK).toBe(
      'http://broker/shop/default',
    );
    expect(() => offer.loadConfig({ K_SINK: 'broker' })).toThrow(/K_SINK/);
  });
});
