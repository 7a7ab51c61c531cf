// How long conversion-webhook keeps the provider events it received (the kit prunes older rows
// at start and hourly). Payments and refunds are the money record and stay.
import type { RetentionRule } from '@shop/shared';

/** Provider events past any retry or replay of their delivery. */
export const retention: readonly RetentionRule[] = [
  {
    table: 'conversion_webhook.provider_event',
    column: 'received_at',
    keepDays: 30,
    // A refund row names the event that counted it: that one stays with the refund.
    where:
      "status <> 'unmatched' AND NOT EXISTS (SELECT 1 FROM conversion_webhook.refund r WHERE r.provider_event_id = provider_event.id)",
    why: 'Stripe retries a delivery for up to 3 days and Standard Webhooks senders for days; each retry is signed anew, so the (provider, event_id) dedupe must outlive them: 30 days does, 10 times over',
  },
  {
    table: 'conversion_webhook.provider_event',
    column: 'received_at',
    keepDays: 90,
    where:
      "status = 'unmatched' AND NOT EXISTS (SELECT 1 FROM conversion_webhook.refund r WHERE r.provider_event_id = provider_event.id)",
    why: 'unmatched events wait for a person to look at them (the webhook_events_total{outcome="unmatched"} alert); a quarter is time enough',
  },
];
