export {
  type GenerationWatch,
  type GenerationWatchOptions,
  watchGeneration,
} from './generation.js';
export type { HashUpdate, KeyValue, SetOptions } from './key-value.js';
export { createMemoryKeyValue } from './memory.js';
export { createRedisKeyValue } from './redis.js';
