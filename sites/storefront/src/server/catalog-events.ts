// The storefront's /events: where its Trigger (knative/eventing/trigger-storefront-catalog.yaml)
// delivers offer's catalog events. The sender is proven as every function's is: the OIDC token
// Knative presents (the kit's verifier, this Service's audience and EventPolicy), checked before
// the event is read; then the kit's receiver checks the event against the catalog (and that
// offer is its source) and skips redeliveries. Each event empties the catalog cache here and on
// every other instance (catalog-cache.ts).
import { eventCatalog } from '@shop/eventing';
import {
  createEventReceiver,
  createKeyValueDeduper,
  type EventSenderVerifier,
  type KeyValue,
  type Logger,
  requireEventSender,
  type ServiceEnv,
} from '@shop/shared';
import { Hono } from 'hono';
import type { CatalogCache } from './catalog-cache.js';

/** The catalog events that change what a product or category page shows. */
export const CATALOG_EVENT_TYPES = [
  'shop.offer.created',
  'shop.offer.price_changed',
  'shop.offer.changed',
  'shop.offer.stock_adjusted',
  'shop.offer.archived',
  'shop.offer.unarchived',
] as const;

export interface CatalogEventsOptions {
  kv: KeyValue;
  cache: CatalogCache;
  verifySender: EventSenderVerifier;
  log: Logger;
}

/**
 * A Hono app answering `POST /events` (binary or structured CloudEvents): 204 handled or a
 * duplicate, 401/403 a sender not proven or not allowed, 400 an event that is not one of these.
 * @example const events = createCatalogEvents({ kv, cache, verifySender, log }); await events.fetch(request);
 */
export function createCatalogEvents(options: CatalogEventsOptions): Hono<ServiceEnv> {
  const { cache, log } = options;
  // Before the answer: a failed bump is a 500 the broker retries, so no instance keeps the old
  // page past its own bound. This instance's memory is emptied either way.
  const invalidate = async (event: { type: string; subject: string | undefined }) => {
    await cache.invalidate();
    log.info({ eventType: event.type, productId: event.subject }, 'catalog changed: pages dropped');
  };
  const receiver = createEventReceiver({
    catalog: eventCatalog,
    source: '/shop/storefront',
    dedupe: createKeyValueDeduper(options.kv, {
      prefix: 'storefront:event:',
      doneTtlSeconds: 24 * 3600,
    }),
    handlers: Object.fromEntries(CATALOG_EVENT_TYPES.map((type) => [type, invalidate])),
    log,
  });
  return new Hono<ServiceEnv>()
    .use('/events', requireEventSender(options.verifySender))
    .route('/events', receiver);
}
