export {
  createSchemaApp,
  eventCatalog,
  jsonSchemaFor,
  renderAsyncApi,
  renderEventsMarkdown,
  type ShopEventCatalog,
  type ShopEventData,
  type ShopEventInput,
  type ShopEventType,
  writtenStraightToKafka,
} from './catalog/index.js';
