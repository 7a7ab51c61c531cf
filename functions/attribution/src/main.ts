// The attribution function as the kit runs it: `node dist/main.js` serves,
// `node dist/main.js migrate` is the migration job.
import { defineFunction, type FunctionConfig } from '@shop/shared';
import { z } from 'zod';
import { createApp } from './app.js';
import { events } from './events.js';
import type { ScoringSettings } from './scoring.js';

export { type AttributionAppDeps, createApp } from './app.js';
export { allocateLargestRemainder } from './domain/allocate-largest-remainder.js';
export { removalEffects } from './domain/markov-removal-effect.js';
export { scoreCredit } from './domain/score-credit.js';
export {
  channelOf,
  MODELS,
  type Model,
  sortTouchpoints,
  type Touchpoint,
} from './domain/touchpoint.js';
export { events } from './events.js';

const LIVE_MODELS = [
  'last_click',
  'first_click',
  'linear',
  'position_based',
  'time_decay',
] as const;

const configShape = {
  /**
   * The model conversions are scored under as payments arrive (default last click). The
   * data-driven model is for re-score jobs only: its weights depend on other shoppers' paths.
   */
  ATTRIBUTION_MODEL: z.enum(LIVE_MODELS).default('last_click'),
  /** Days before a purchase a touch still counts. */
  ATTRIBUTION_LOOKBACK_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Time decay's half-life in days. */
  ATTRIBUTION_HALF_LIFE_DAYS: z.coerce.number().min(0.1).max(365).default(7),
  /** At most this many touches (the newest) per conversion; the event carries them all. */
  ATTRIBUTION_MAX_TOUCHES: z.coerce.number().int().min(1).max(100).default(100),
  /** Days of conversion and non-conversion paths the data-driven model learns from. */
  DATA_DRIVEN_PERIOD_DAYS: z.coerce.number().int().min(1).max(400).default(90),
};

type ParsedConfig = FunctionConfig<typeof configShape>;
export type AttributionConfig = ParsedConfig & { settings: ScoringSettings };

/**
 * attribution: PostgreSQL schema `attribution`, port 8089. Touchpoints from the analytics
 * topic (KafkaSource) and orders, payments and refunds from the broker; emits
 * shop.conversion.attributed and shop.conversion.reversed through its outbox.
 * @example const running = await attribution.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const attribution = defineFunction({
  name: 'attribution',
  port: 8089,
  config: configShape,
  resolveConfig: (config: ParsedConfig): AttributionConfig => ({
    ...config,
    settings: {
      model: config.ATTRIBUTION_MODEL,
      lookbackDays: config.ATTRIBUTION_LOOKBACK_DAYS,
      halfLifeDays: config.ATTRIBUTION_HALF_LIFE_DAYS,
      maxTouches: config.ATTRIBUTION_MAX_TOUCHES,
    },
  }),
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  createApp: (deps) =>
    createApp({
      ...deps,
      settings: deps.config.settings,
      dataDrivenPeriodDays: deps.config.DATA_DRIVEN_PERIOD_DAYS,
    }),
});

/** A started attribution function. */
export type RunningAttribution = Awaited<ReturnType<typeof attribution.start>>;

attribution.runIfEntryPoint(import.meta.url);
