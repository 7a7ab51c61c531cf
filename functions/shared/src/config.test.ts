import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseConfigSchema, ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    const config = loadConfig(baseConfigSchema, { PORT: '8083' });
    expect(config.PORT).toBe(8083);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable in one clear error', () => {
    const schema = baseConfigSchema.extend({ OFFER_URL: z.url() });
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL: must be a postgres:// URL');
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('OFFER_URL');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig(baseConfigSchema, { DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });
});
