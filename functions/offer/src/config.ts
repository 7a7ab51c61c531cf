import { baseConfigSchema, loadConfig } from '@shop/shared';
import { z } from 'zod';

/** The offer function's environment: the shared settings plus its own. */
export const offerConfigSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.unwrap().default(8083),
  /** Seed the demo catalog; default: only on the embedded PGlite database. */
  SEED_DEMO_DATA: z.stringbool().optional(),
  /**
   * Apply pending migrations on start; default: only without DATABASE_URL (PGlite). Production
   * runs them as a one-off job before rollout, and a start only checks the schema is current.
   */
  RUN_MIGRATIONS: z.stringbool().optional(),
  /** Where the embedded PGlite keeps its files when DATABASE_URL is unset; default: memory. */
  PGLITE_DATA_DIR: z.string().min(1).optional(),
  /** The one currency the catalog sells in. */
  CATALOG_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code (3 uppercase letters)')
    .default('EUR'),
});

export type OfferConfig = Omit<z.infer<typeof offerConfigSchema>, 'RUN_MIGRATIONS'> & {
  /** Resolved: true when set so, or when unset and DATABASE_URL is unset. */
  RUN_MIGRATIONS: boolean;
};

/**
 * Reads and validates the offer function's environment once.
 * @example const config = loadOfferConfig(); // throws ConfigError naming each bad variable
 */
export function loadOfferConfig(
  env: Record<string, string | undefined> = process.env,
): OfferConfig {
  const config = loadConfig(offerConfigSchema, env);
  return { ...config, RUN_MIGRATIONS: config.RUN_MIGRATIONS ?? config.DATABASE_URL === undefined };
}
