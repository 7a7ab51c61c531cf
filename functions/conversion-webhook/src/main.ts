// The conversion-webhook function as the kit runs it: `node dist/main.js` serves,
// `node dist/main.js migrate` is the migration job.
import { defineFunction } from '@shop/shared';
import { createApp } from './app.js';
import { configShape, resolveConfig } from './config.js';
import { events } from './events.js';
import { retention } from './retention.js';

export { type ConversionWebhookAppDeps, createApp, MAX_BODY_BYTES } from './app.js';
export {
  type ConversionWebhookConfig,
  DEV_STANDARD_WEBHOOK_SECRET,
  DEV_STRIPE_WEBHOOK_SECRET,
} from './config.js';
export {
  failureReason,
  type ProviderEventMeaning,
  readProviderEvent,
} from './domain/read-provider-event.js';
export { verifyStandardSignature, verifyStripeSignature } from './domain/verify-signature.js';
export { events } from './events.js';
export {
  type StandardWebhookHeaders,
  signStandardPayload,
  signStripePayload,
  standardSignature,
  standardWebhookKey,
  stripeSignature,
} from './sign.js';

/**
 * Signed payment webhooks: PostgreSQL schema `conversion_webhook`, each provider event once,
 * `shop.payment.*` through its outbox, port 8088.
 * @example const running = await conversionWebhook.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const conversionWebhook = defineFunction({
  name: 'conversion-webhook',
  port: 8088,
  config: configShape,
  resolveConfig,
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  retention,
  onStart({ config, log }) {
    for (const [name, secrets] of [
      ['STRIPE_WEBHOOK_SECRET', config.STRIPE_WEBHOOK_SECRET],
      ['STANDARD_WEBHOOK_SECRET', config.STANDARD_WEBHOOK_SECRET],
    ] as const) {
      if (secrets.length === 0) log.warn(`${name} is not set: its endpoint answers 503`);
    }
  },
  createApp: (deps) =>
    createApp({
      ...deps,
      stripeSecrets: deps.config.STRIPE_WEBHOOK_SECRET,
      standardSecrets: deps.config.STANDARD_WEBHOOK_SECRET,
      toleranceSeconds: deps.config.WEBHOOK_TOLERANCE_SECONDS,
    }),
});

/** A started conversion-webhook function. */
export type RunningConversionWebhook = Awaited<ReturnType<typeof conversionWebhook.start>>;

conversionWebhook.runIfEntryPoint(import.meta.url);
