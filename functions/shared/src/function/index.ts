export {
  type ConsumedHandlers,
  defineEvents,
  type FunctionEvents,
  type OutboxEventOf,
  schemaNameOf,
} from './define-events.js';
export {
  type AppDeps,
  type DefinedFunction,
  defineFunction,
  type FunctionConfig,
  type FunctionDeclaration,
  functionConfigSchema,
  type RunningFunction,
  type StartContext,
  type StartOptions,
} from './define-function.js';
