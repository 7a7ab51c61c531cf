import { type EventCatalog, eventJsonSchema } from '@shop/shared';
import { Hono } from 'hono';

/**
 * Serves each event type's JSON Schema at the path of its `dataschema` URI
 * (`/events/<type>/v<version>.json`) and an index at `/events`.
 * @example app.route('/schemas', createSchemaApp(eventCatalog)); // GET /schemas/events/shop.offer.created/v1.json
 */
export function createSchemaApp(catalog: EventCatalog): Hono {
  const app = new Hono();
  app.get('/events', (c) =>
    c.json(
      Object.values(catalog).map((d) => ({
        type: d.type,
        version: d.version,
        dataschema: d.dataschema,
      })),
    ),
  );
  app.get('/events/:type/:file', (c) => {
    const definition = Object.values(catalog).find(
      (d) => d.type === c.req.param('type') && c.req.param('file') === `v${d.version}.json`,
    );
    if (!definition) {
      return c.json(
        { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No such event schema.' },
        404,
        { 'content-type': 'application/problem+json' },
      );
    }
    return c.json(eventJsonSchema(definition), 200, {
      'content-type': 'application/schema+json',
      'cache-control': 'public, max-age=3600',
    });
  });
  return app;
}
