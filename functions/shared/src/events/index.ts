export {
  dataschemaUri,
  defineCatalog,
  defineEvent,
  EVENT_SCHEMA_BASE_URI,
  type EventCatalog,
  type EventData,
  type EventDefinition,
  type EventInput,
  type EventType,
  eventDefinition,
  eventJsonSchema,
  InvalidEventError,
  moneySchema,
  parseEventData,
  producerSource,
  timestampSchema,
} from './catalog.js';
export {
  buildCloudEvent,
  type EventAttributes,
  readCloudEvent,
  toBinaryMessage,
} from './cloud-event.js';
export {
  type ClaimResult,
  createDatabaseInbox,
  createKeyValueDeduper,
  type EventDeduper,
  type EventInbox,
  type KeyValueDeduperOptions,
} from './dedupe.js';
export {
  assertEventFits,
  DEFAULT_MAX_EVENT_BYTES,
  EventTooLargeError,
  encodedEventBytes,
} from './event-size.js';
export { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';
export {
  createPublisher,
  PublishError,
  type Publisher,
  type PublisherOptions,
  type PublishOptions,
} from './publish.js';
export {
  createEventReceiver,
  type EmitWriter,
  type EventHandler,
  type EventHandlerContext,
  type EventHandlers,
  type EventReceiverOptions,
  type EventReply,
  type HandlerTransaction,
  type ReceivedEvent,
} from './receive.js';
export {
  createEventSenderVerifier,
  createWorkloadTokenVerifier,
  type EventSender,
  type EventSenderVerifier,
  type EventSenderVerifierOptions,
  refuseAllEventSenders,
  requireEventSender,
  subjectMatches,
  type WorkloadIdentity,
  type WorkloadTokenVerifier,
} from './sender-auth.js';
export { SINK_BINDING_TOKEN_FILE, sinkTokenFromFile } from './sink-token.js';
