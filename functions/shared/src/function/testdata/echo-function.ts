// A tiny declared function for the entry-point contract test: a fixed JSON route, a raw body
// echoed byte for byte, a slow write with an outbox event, a 1 KiB body limit. Run by the test
// in-process through both entry points, and as `functions-framework --target=echo --source=…`.
import { z } from 'zod';
import { createServiceApp } from '../../app.js';
import { defineCatalog, defineEvent } from '../../events/catalog.js';
import { defineEvents } from '../define-events.js';
import { defineFunction } from '../define-function.js';

const catalog = defineCatalog(
  defineEvent({
    type: 'shop.thing.renamed',
    description: 'A thing got a new name.',
    producer: 'thing',
    consumers: ['audit'],
    partitionKey: 'thingId',
    schema: z.object({ thingId: z.string(), name: z.string() }).strict(),
  }),
);

const events = defineEvents({ catalog, producer: 'thing', publishes: ['shop.thing.renamed'] });

/** The body limit of the fixture, small so the 413 check sends little. */
export const ECHO_MAX_BODY_BYTES = 1024;

export const echo = defineFunction({
  name: 'echo',
  port: 8197,
  database: { schema: 'thing', migrations: new URL('./migrations/', import.meta.url) },
  events,
  createApp: ({ db, log, lifecycle, metrics, onEventsRecorded, verifyToken }) => {
    const app = createServiceApp({
      service: 'echo',
      log,
      lifecycle,
      metrics,
      verifyToken,
      maxBodyBytes: ECHO_MAX_BODY_BYTES,
    });
    app.get('/hello', (c) => c.json({ hello: 'world' }));
    app.post('/echo', async (c) =>
      c.body(await c.req.arrayBuffer(), 200, {
        'content-type': c.req.header('content-type') ?? 'application/octet-stream',
      }),
    );
    // Waits `ms`, then records a row and its event: in flight when a test sends SIGTERM.
    app.post('/things/:id', async (c) => {
      const id = c.req.param('id');
      await new Promise((resolve) => setTimeout(resolve, Number(c.req.query('ms') ?? 0)));
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO thing.item (id, name) VALUES ($1, $2)', [id, 'new']);
        await events.write(tx, {
          type: 'shop.thing.renamed',
          data: { thingId: id, name: 'new' },
          subject: id,
        });
      });
      onEventsRecorded();
      return c.json({ id }, 201);
    });
    return app;
  },
});

echo.runIfEntryPoint(import.meta.url);
