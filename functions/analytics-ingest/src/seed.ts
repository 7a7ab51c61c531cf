// The demo source of the embedded database (npm run dev): one write key for the shop's sites,
// made up at each start unless ANALYTICS_DEMO_WRITE_KEY names one, never in the repository.
import { type Database, newId } from '@shop/shared';
import { hashWriteKey, writeKeyHint } from './domain/hash-write-key.js';
import { findLiveSourceByKeyHash, insertSource, listSources, revokeSource } from './store.js';

export const DEMO_SOURCE_NAME = 'demo-sites';

/**
 * Makes `writeKey` the demo source's key: a demo source with another key (an earlier start on
 * the same PGLITE_DATA_DIR) is revoked first.
 */
export async function seedDemoSource(
  db: Database,
  writeKey: string,
  secret: string,
  now = new Date(),
) {
  const keyHash = hashWriteKey(writeKey, secret);
  const existing = await findLiveSourceByKeyHash(db, keyHash);
  if (existing) return { source: DEMO_SOURCE_NAME, sourceId: existing.id };
  for (const source of await listSources(db)) {
    if (source.name === DEMO_SOURCE_NAME && !source.revokedAt) {
      await revokeSource(db, source.id, 'seed', now);
    }
  }
  const id = newId();
  await insertSource(db, {
    id,
    name: DEMO_SOURCE_NAME,
    site: null,
    keyHash,
    keyHint: writeKeyHint(writeKey),
    createdAt: now,
    createdBy: null,
    revokedAt: null,
    revokedBy: null,
  });
  return { source: DEMO_SOURCE_NAME, sourceId: id };
}
