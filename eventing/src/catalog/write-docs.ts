// npm run docs -w @shop/eventing — writes EVENTS.md and asyncapi.json from the catalog.
import { writeFile } from 'node:fs/promises';
import { eventCatalog, renderAsyncApi, renderEventsMarkdown } from './index.js';

const root = new URL('../../', import.meta.url);
await writeFile(new URL('EVENTS.md', root), renderEventsMarkdown(eventCatalog));
await writeFile(
  new URL('asyncapi.json', root),
  `${JSON.stringify(renderAsyncApi(eventCatalog), null, 2)}\n`,
);
console.log('wrote eventing/EVENTS.md and eventing/asyncapi.json');
