import { type KeyValue, silentLogger } from '@shop/shared';
import { testDatabase, testKeyValue } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from './events.js';
import { changeFlag } from './flag-changes.js';
import { createFlagSource, type FlagSource } from './flag-source.js';
import { featureFlag } from './main.js';

let db: Awaited<ReturnType<typeof testDatabase>>;
let kv: ReturnType<typeof testKeyValue>;
const sources: FlagSource[] = [];
beforeAll(async () => {
  db = await testDatabase();
  await featureFlag.applyMigrations(db.db);
  kv = testKeyValue();
});
afterAll(async () => {
  for (const source of sources) source.stop();
  await kv.cleanup();
  await db.cleanup();
});

/** A key-value store that fails every call while `down` is set. */
function flakyKeyValue(inner: KeyValue, state: { down: boolean }): KeyValue {
  return new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        state.down ? Promise.reject(new Error('ECONNREFUSED')) : value.apply(target, args);
    },
  });
}

const source = async (store: KeyValue) => {
  const created = createFlagSource({
    db: db.db,
    kv: store,
    log: silentLogger(),
    environment: 'staging',
    pollMs: 50,
    dbCheckMs: 300,
  });
  sources.push(created);
  await created.start();
  return created;
};

async function setDefault(variant: 'on' | 'off') {
  await db.db.transaction((tx) =>
    changeFlag(
      tx,
      { events, clock: () => new Date() },
      {
        environment: 'staging',
        key: 'banner',
        by: 'staff-1',
        ifMatch: { kind: 'missing' },
        mode: variant === 'on' ? 'create' : 'update',
        apply: () => ({
          definition: {
            state: 'ENABLED',
            variants: { on: true, off: false },
            defaultVariant: variant,
          },
        }),
      },
    ),
  );
}

async function until(check: () => boolean, ms: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

describe('createFlagSource', () => {
  it('converges through the database revision when Redis is away, and reports Redis', async () => {
    const redis = { down: false };
    const writer = await source(kv.kv);
    const reader = await source(flakyKeyValue(kv.kv, redis));
    redis.down = true;
    await setDefault('on');
    await writer.changed();
    const value = () => {
      const result = reader.current()?.evaluate('banner', {});
      return result && 'value' in result ? result.value : undefined;
    };
    expect(await until(() => value() === true, 1_000)).toBeLessThan(1_000);
    expect(reader.status()).toMatchObject({
      database: 'ok',
      keyValue: 'unavailable: ECONNREFUSED',
    });
    redis.down = false;
    await until(() => reader.status().keyValue === 'ok', 1_000);
    await setDefault('off');
    await writer.changed();
    await until(() => value() === false, 1_000);
  });
});
