export {
  createServiceApp,
  type ReadinessCheck,
  type ServiceAppOptions,
  type ServiceEnv,
  validationProblem,
} from './app.js';
export { baseConfigSchema, ConfigError, loadConfig } from './config.js';
export * from './db/index.js';
export * from './events/index.js';
export { createFlagClient, type FlagClientOptions } from './feature-flags.js';
export * from './function/index.js';
export * from './http/index.js';
export * from './identity/index.js';
export { newId } from './ids.js';
export * from './kafka/index.js';
export * from './kv/index.js';
export { Lifecycle } from './lifecycle.js';
export { createLogger, type Logger, silentLogger } from './logger.js';
export {
  type CatalogLabel,
  type CounterKey,
  catalogCounter,
  createMetrics,
  type ServiceMetrics,
} from './metrics.js';
export {
  addMoney,
  CurrencyMismatchError,
  MAX_AMOUNT,
  MAX_UNIT_AMOUNT,
  type Money,
  MoneyRangeError,
  money,
  multiplyMoney,
  sumMoney,
} from './money.js';
export { OUTBOX_RETENTION_MS, type OutboxEvent, pruneOutbox, writeOutbox } from './outbox.js';
export { type InvalidParam, Problem, type ProblemDetails, problemResponse } from './problem.js';
export {
  createRateLimiter,
  type RateLimiter,
  type RateLimitResult,
  rateLimitHeaders,
} from './rate-limit.js';
export * from './runtime/index.js';
export { type RunningServer, type ServeOptions, serve } from './serve.js';
export {
  contextOf,
  currentTraceparent,
  inSpan,
  isInstrumented,
  spanContextOf,
} from './telemetry/trace-context.js';
