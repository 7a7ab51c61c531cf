export {
  kafkaSourceGroup,
  type RunningBroker,
  type StartBrokerOptions,
  startBroker,
} from './broker.js';
export {
  type BrokerEvent,
  fromKafkaRecord,
  InvalidEventError,
  parseHttpEvent,
  toBinaryHttp,
  toKafkaRecord,
} from './cloudevent.js';
export {
  DEFAULT_BACKOFF_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  type DeliverySpec,
  type Destination,
  type EgressConfig,
  egressConfigFromDelivery,
  isRetryableStatus,
  mergeEgressConfig,
  retryDelayMs,
} from './delivery.js';
export { parseIsoDuration } from './duration.js';
export {
  allowedSenders,
  type EventingFeatures,
  type EventPolicyManifest,
  type EventTarget,
  isAllowedSender,
  policiesFor,
  subscriberVerifier,
} from './event-policies.js';
export {
  compileTriggerFilter,
  type EventFilter,
  type SubscriptionsApiFilter,
  type TriggerFilterSpec,
  validateTriggerFilters,
} from './filters.js';
export { type BrokerAppDeps, createBrokerApp } from './ingress.js';
export {
  KAFKA_EVENT_TYPE,
  kafkaEventSource,
  kafkaSourceEvent,
  wrapPlainRecord,
} from './kafka-source.js';
export { LOCAL_PORTS, localServiceUrl } from './local-services.js';
export {
  type BrokerManifest,
  type KafkaSourceManifest,
  loadManifests,
  ManifestError,
  type Manifests,
  parseManifests,
  type TriggerManifest,
} from './manifests.js';
export {
  createOidcIssuer,
  DISCOVERY_PATH,
  JWKS_PATH,
  type OidcIssuer,
  oidcServiceAccountName,
  resourceAudience,
  serviceAccountSubject,
  type TokenRequest,
} from './oidc.js';
