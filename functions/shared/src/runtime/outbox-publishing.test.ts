import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { defineCatalog, defineEvent } from '../events/catalog.js';
import { Lifecycle } from '../lifecycle.js';
import { type Logger, silentLogger } from '../logger.js';
import { testDatabase } from '../testing/index.js';
import { createOutboxPublishing } from './outbox-publishing.js';

const catalog = defineCatalog(
  defineEvent({
    type: 'shop.thing.changed',
    description: 'A thing changed.',
    producer: 'thing',
    consumers: ['audit'],
    partitionKey: 'thingId',
    schema: z.object({ thingId: z.string() }).strict(),
  }),
);

let db: Database;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await testDatabase());
  await db.exec(`
    CREATE SCHEMA pub;
    CREATE TABLE pub.outbox (
      id uuid PRIMARY KEY, type text NOT NULL, subject text, partition_key text,
      data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz, attempts int NOT NULL DEFAULT 0, last_error text,
      next_attempt_at timestamptz, last_attempt_at timestamptz, parked_at timestamptz,
      parked_reason text, traceparent text, request_id text
    );`);
});
afterAll(() => cleanup());

function recordingLogger(): { log: Logger; said: [string, string][] } {
  const said: [string, string][] = [];
  const log = silentLogger();
  for (const level of ['info', 'warn'] as const) {
    vi.spyOn(log, level).mockImplementation(((...args: unknown[]) => {
      said.push([level, String(args.find((arg) => typeof arg === 'string'))]);
    }) as never);
  }
  return { log, said };
}

const base = { schema: 'pub', source: '/shop/pub', catalog };

describe('createOutboxPublishing', () => {
  it('without a sink says once that events stay in the outbox: info, or warn when a sink is expected', () => {
    for (const sinkExpected of [false, true]) {
      const { log, said } = recordingLogger();
      const lifecycle = new Lifecycle();
      const onShutdown = vi.spyOn(lifecycle, 'onShutdown');
      const publishing = createOutboxPublishing({
        ...base,
        db,
        sink: undefined,
        sinkExpected,
        log,
        lifecycle,
      });
      expect(publishing).toBeUndefined();
      expect(onShutdown).not.toHaveBeenCalled();
      expect(said).toEqual([
        [
          sinkExpected ? 'warn' : 'info',
          'K_SINK is not set: events stay in pub.outbox until a sink is configured',
        ],
      ]);
    }
  });

  it('prunes at start, and at shutdown drains the relay before hooks registered earlier run', async () => {
    const order: string[] = [];
    const lifecycle = new Lifecycle();
    lifecycle.onShutdown('database', () => {
      order.push('database');
    });
    const prune = vi.fn(async () => {
      order.push('prune');
      return 0;
    });
    const publishing = createOutboxPublishing({
      ...base,
      db,
      sink: 'http://127.0.0.1:1/',
      log: silentLogger(),
      lifecycle,
      prune,
      pruneIntervalMs: 60_000,
    });
    if (!publishing) throw new Error('expected a relay');
    const stop = publishing.relay.stop.bind(publishing.relay);
    vi.spyOn(publishing.relay, 'stop').mockImplementation(async () => {
      await stop();
      order.push('relay stopped');
    });
    publishing.start();
    expect(prune).toHaveBeenCalledTimes(1);
    await lifecycle.runShutdownHooks((name, error) => {
      throw new Error(`${name}: ${String(error)}`);
    });
    expect(order).toEqual(['prune', 'relay stopped', 'database']);
  });
});
