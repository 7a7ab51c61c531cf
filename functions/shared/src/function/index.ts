export {
  type ConsumedHandlers,
  defineEvents,
  type FunctionEvents,
  type OutboxEventOf,
  schemaNameOf,
} from './define-events.js';
export {
  type AppDeps,
  authTokenVerifier,
  type DefinedFunction,
  defineFunction,
  type FrameworkFunction,
  type FunctionConfig,
  type FunctionDeclaration,
  type FunctionsFrameworkOptions,
  functionConfigSchema,
  type IdentitySettings,
  identityConfigShape,
  type RunningFunction,
  type StartContext,
  type StartOptions,
} from './define-function.js';
export {
  DEV_EVENTS_OIDC_ISSUER,
  type EventAuthSettings,
  eventAuthConfigShape,
  eventSenderVerifierFromConfig,
  functionAudience,
  OIDC_JWKS_PATH,
  parseAllowedSenders,
  sinkTokenFromConfig,
} from './event-auth.js';
export {
  type FrameworkApp,
  type FrameworkTarget,
  type FrameworkTargetOptions,
  functionsFrameworkTarget,
  registerFrameworkTarget,
} from './functions-framework.js';
