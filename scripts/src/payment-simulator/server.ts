// Starts the payment provider simulator on its own port (8071) for `npm run dev` and tests.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  baseConfigSchema,
  createLogger,
  Lifecycle,
  type Logger,
  loadConfig,
  type RunningServer,
  type ServiceEnv,
  serve,
} from '@shop/shared';
import { z } from 'zod';
import { createSimulatorApp, type SimulatorState } from './app.js';
import { seededRandom } from './random.js';
import { standardWebhookKey } from './sign.js';

/** The fake API key accepted in development (a test-mode key, not a secret). */
export const DEV_API_KEY = 'sk_test_simulator';
/** Development-only Stripe endpoint secret, shared with conversion-webhook's dev default. */
export const DEV_STRIPE_WEBHOOK_SECRET = 'whsec_dev_simulator';
/** Development-only Standard Webhooks secret: `whsec_` + base64 of a fixed 24-byte string. */
export const DEV_STANDARD_WEBHOOK_SECRET = `whsec_${Buffer.from('dev-payment-simulator-24').toString('base64')}`;

const secretList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((secret) => secret.trim())
      .filter((secret) => secret !== ''),
  )
  .pipe(z.array(z.string()).min(1, 'needs at least one secret'));

/** The simulator's environment (names from the purchase-loop contract). */
export const simulatorConfigSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.unwrap().default(8071),
  /** The key clients must send as `Authorization: Bearer …`. */
  SIMULATOR_API_KEY: z.string().min(1).default(DEV_API_KEY),
  /** Base of the pay page links in `next_action`; default `http://127.0.0.1:<its port>`. */
  SIMULATOR_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Origins a `return_url` may point at, comma separated; default the storefront's. */
  SIMULATOR_RETURN_URL_ORIGINS: z
    .string()
    .default('http://127.0.0.1:4321,http://localhost:4321')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin))),
  SIMULATOR_WEBHOOK_MODE: z.enum(['stripe', 'standard']).default('stripe'),
  /** Default: the gateway's /webhooks/payments/stripe (or /standard). */
  SIMULATOR_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Comma-separated: each signs, like Stripe while a secret is rolled. */
  STRIPE_WEBHOOK_SECRET: secretList.default([DEV_STRIPE_WEBHOOK_SECRET]),
  STANDARD_WEBHOOK_SECRET: secretList
    .refine(
      (secrets) =>
        secrets.every((secret) => {
          try {
            return standardWebhookKey(secret).length > 0;
          } catch {
            return false;
          }
        }),
      'each secret must be "whsec_" followed by base64',
    )
    .default([DEV_STANDARD_WEBHOOK_SECRET]),
  SIMULATOR_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  SIMULATOR_RETRY_BASE_MS: z.coerce.number().int().min(0).max(3_600_000).default(1_000),
  SIMULATOR_DUPLICATE_RATE: z.coerce.number().min(0).max(1).default(0),
  SIMULATOR_REORDER: z.stringbool().default(false),
  /** How long an intent's events are held back before delivery in reverse order. */
  SIMULATOR_REORDER_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(1_000),
  /** Seeds the chaos decisions (duplicates) for repeatable runs. */
  SIMULATOR_SEED: z.string().min(1).optional(),
});

export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;

export interface StartPaymentSimulatorOptions {
  /** Environment to read the config from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  log?: Logger;
  /** Handle SIGTERM/SIGINT (default true; the dev runner handles signals itself). */
  handleSignals?: boolean;
  /** Calls the webhook with this fetch (tests). */
  fetch?: typeof fetch;
}

export interface RunningPaymentSimulator extends RunningServer {
  /** Where the simulator answers, e.g. http://127.0.0.1:8071. */
  url: string;
  app: OpenAPIHono<ServiceEnv>;
  state: SimulatorState;
  config: SimulatorConfig;
  /** Resolves once every pending webhook delivery has ended (delivered or given up). */
  settled(): Promise<void>;
}

/**
 * Starts the simulator: config from env, serves on PORT (8071); shutdown cancels pending
 * webhook retries.
 * @example const sim = await startPaymentSimulator({ port: 0, handleSignals: false }); await sim.shutdown();
 */
export async function startPaymentSimulator(
  options: StartPaymentSimulatorOptions = {},
): Promise<RunningPaymentSimulator> {
  const config = loadConfig(simulatorConfigSchema, options.env ?? process.env);
  const log =
    options.log ?? createLogger({ service: 'payment-simulator', level: config.LOG_LEVEL });
  const mode = config.SIMULATOR_WEBHOOK_MODE;
  const lifecycle = new Lifecycle();
  let listening = options.port ?? config.PORT;
  const simulator = createSimulatorApp({
    log,
    apiKey: config.SIMULATOR_API_KEY,
    lifecycle,
    // Read once the server listens (port 0 picks the port).
    publicUrl: () => config.SIMULATOR_PUBLIC_URL ?? `http://127.0.0.1:${listening}`,
    returnUrlOrigins: config.SIMULATOR_RETURN_URL_ORIGINS,
    webhook: {
      url: config.SIMULATOR_WEBHOOK_URL ?? `http://127.0.0.1:8080/webhooks/payments/${mode}`,
      mode,
      secrets: mode === 'stripe' ? config.STRIPE_WEBHOOK_SECRET : config.STANDARD_WEBHOOK_SECRET,
      maxAttempts: config.SIMULATOR_MAX_ATTEMPTS,
      retryBaseMs: config.SIMULATOR_RETRY_BASE_MS,
    },
    chaos: {
      duplicateRate: config.SIMULATOR_DUPLICATE_RATE,
      reorder: config.SIMULATOR_REORDER,
      reorderDelayMs: config.SIMULATOR_REORDER_DELAY_MS,
    },
    random: seededRandom(config.SIMULATOR_SEED),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  lifecycle.onShutdown('webhooks', () => simulator.stop());
  const server = await serve(simulator.app, {
    port: options.port ?? config.PORT,
    log,
    lifecycle,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    handleSignals: options.handleSignals ?? true,
  });
  listening = server.port;
  log.info(
    {
      webhookUrl: config.SIMULATOR_WEBHOOK_URL ?? `(gateway) /webhooks/payments/${mode}`,
      mode,
      duplicateRate: config.SIMULATOR_DUPLICATE_RATE,
      reorder: config.SIMULATOR_REORDER,
    },
    'payment simulator ready',
  );
  return {
    ...server,
    url: `http://127.0.0.1:${server.port}`,
    app: simulator.app,
    state: simulator.state,
    config,
    settled: () => simulator.settled(),
  };
}

function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(moduleUrl);
  } catch {
    return false;
  }
}

if (isEntryPoint(import.meta.url)) {
  startPaymentSimulator().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
