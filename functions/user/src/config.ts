import { baseConfigSchema, loadConfig } from '@shop/shared';
import { z } from 'zod';

/** The user function's environment: the shared settings plus its own. */
export const userConfigSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.unwrap().default(8082),
  /**
   * Apply pending migrations on start; default: only without DATABASE_URL (PGlite). Production
   * runs them as a one-off job before rollout, and a start only checks the schema is current.
   */
  RUN_MIGRATIONS: z.stringbool().optional(),
  /** Where the embedded PGlite keeps its files when DATABASE_URL is unset; default: memory. */
  PGLITE_DATA_DIR: z.string().min(1).optional(),
});

export type UserConfig = Omit<z.infer<typeof userConfigSchema>, 'RUN_MIGRATIONS'> & {
  /** Resolved: true when set so, or when unset and DATABASE_URL is unset. */
  RUN_MIGRATIONS: boolean;
};

/**
 * Reads and validates the user function's environment once.
 * @example const config = loadUserConfig(); // throws ConfigError naming each bad variable
 */
export function loadUserConfig(env: Record<string, string | undefined> = process.env): UserConfig {
  const config = loadConfig(userConfigSchema, env);
  return { ...config, RUN_MIGRATIONS: config.RUN_MIGRATIONS ?? config.DATABASE_URL === undefined };
}
