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
} from './catalog/index.js';
